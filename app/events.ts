import type { Event } from "../consensus/index.ts";

/** Builds an SDK event; every attribute is indexed, as the SDK's default for tx events. */
export function event(type: string, attrs: readonly (readonly [string, string])[]): Event {
  return { type, attributes: attrs.map(([key, value]) => ({ key, value, index: true })) };
}

/** Appends `msg_index` to each event of a message, as SDK 0.50 does for message events. */
export function withMsgIndex(events: readonly Event[], index: number): Event[] {
  return events.map((e) => ({
    type: e.type,
    attributes: [...e.attributes, { key: "msg_index", value: String(index), index: true }],
  }));
}
