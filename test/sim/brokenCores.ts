/**
 * Deliberately broken cores, injected into the simulator to show that its checkers can fail. Each one
 * wraps the real `step` and breaks exactly one rule of the paper.
 */
import { step } from "../../consensus/core/index.ts";
import type { StepFn } from "./simulator.ts";

/** Treats every proposal as valid: breaks `valid(v)` in L22/L28/L36/L49, so validity fails. */
export const ignoresValidity: StepFn = (state, input) =>
  step(state, input.kind === "proposal" ? { ...input, proposal: { ...input.proposal, valid: true } } : input);

/**
 * Precommits whatever it prevotes, without waiting for a polka (L36), and ignores locks: the safety
 * argument of the paper is gone, so agreement fails under an equivocating proposer.
 */
export const precommitsWithoutPolka: StepFn = (state, input) => {
  const r = step({ ...state, locked: null }, input);
  const extra = r.effects.flatMap((e) =>
    e.kind === "vote" && e.vote.kind === "prevote" && e.vote.value !== null
      ? [e, { kind: "vote" as const, vote: { ...e.vote, kind: "precommit" as const } }]
      : [e],
  );
  const precommitted = extra.length !== r.effects.length;
  return { state: precommitted ? { ...r.state, step: "precommit" } : r.state, effects: extra };
};
