import type { Proposal } from "cosmjs-types/cosmos/gov/v1/gov";
import { CacheStore, event, type ModuleContext, toSdkError } from "../../app/index.ts";
import type { Event } from "../../consensus/index.ts";
import type { GovKeeper } from "./keeper.ts";
import { ACTIVE_QUEUE_PREFIX, INACTIVE_QUEUE_PREFIX, queueKey, readU64 } from "./keys.ts";
import { tallyProposal } from "./tally.ts";
import { STATUS } from "./types.ts";

/** Queue entries (proposal ids, in end time then id order) whose end time is at or before `time`. */
async function due(ctx: ModuleContext, prefix: Uint8Array): Promise<bigint[]> {
  const ids: bigint[] = [];
  const range = { gte: prefix, lt: queueKey(prefix, ctx.block.time + 1n, 0n) };
  for await (const [k] of ctx.store.iterate(range)) ids.push(readU64(k, prefix.length + 8));
  return ids;
}

/**
 * x/gov's EndBlocker (SDK 0.50 x/gov/abci.go). It reads only the two queues up to the block time:
 *
 * - a proposal whose deposit period ended without reaching min_deposit is deleted, its deposits
 *   refunded (burned when burn_proposal_deposit_prevote); event inactive_proposal{proposal_dropped};
 * - a proposal whose voting period ended is tallied; its deposits are burned when the tally says so,
 *   else refunded (before its messages run, as the SDK); a passing proposal's messages then run in
 *   order, as signed by the gov account, on a branch of the state that is written only when all of
 *   them succeed (status passed, their events kept), else status failed with the error as
 *   failed_reason and nothing of the branch kept; otherwise rejected. The final tally is recorded;
 *   event active_proposal{proposal_result, proposal_log}.
 */
export async function govEndBlock(keeper: GovKeeper, ctx: ModuleContext): Promise<void> {
  const store = ctx.store;
  const params = await keeper.getParams(store);

  for (const id of await due(ctx, INACTIVE_QUEUE_PREFIX)) {
    const proposal = await keeper.getProposal(store, id);
    if (!proposal) continue;
    keeper.deleteProposal(store, proposal);
    if (params.burnProposalDepositPrevote) await keeper.deleteAndBurnDeposits(store, id, ctx.events);
    else await keeper.refundAndDeleteDeposits(store, id, ctx.events);
    ctx.events.push(
      event("inactive_proposal", [
        ["proposal_id", id.toString()],
        ["proposal_result", "proposal_dropped"],
      ]),
    );
  }

  for (const id of await due(ctx, ACTIVE_QUEUE_PREFIX)) {
    const proposal = await keeper.getProposal(store, id);
    if (!proposal?.votingEndTime) continue;
    const { passes, burnDeposits, tally } = await tallyProposal(keeper, store, proposal, true);
    if (burnDeposits) await keeper.deleteAndBurnDeposits(store, id, ctx.events);
    else await keeper.refundAndDeleteDeposits(store, id, ctx.events);
    store.delete(
      queueKey(
        ACTIVE_QUEUE_PREFIX,
        proposal.votingEndTime.seconds * 1_000_000_000n + BigInt(proposal.votingEndTime.nanos),
        id,
      ),
    );

    let result: { status: Proposal["status"]; tag: string; log: string; failedReason: string };
    if (passes) {
      result = await execute(keeper, ctx, proposal);
    } else {
      result = { status: STATUS.rejected, tag: "proposal_rejected", log: "rejected", failedReason: "" };
    }
    keeper.setProposal(store, {
      ...proposal,
      status: result.status,
      failedReason: result.failedReason,
      finalTallyResult: tally,
    });
    ctx.events.push(
      event("active_proposal", [
        ["proposal_id", id.toString()],
        ["proposal_result", result.tag],
        ["proposal_log", result.log],
      ]),
    );
  }
}

/**
 * Runs a passed proposal's messages on a cache branch through the context's runMsg, called on the
 * branch context so that an app whose runMsg runs on the context it is called on writes to the branch.
 */
async function execute(
  keeper: GovKeeper,
  ctx: ModuleContext,
  proposal: Proposal,
): Promise<{ status: Proposal["status"]; tag: string; log: string; failedReason: string }> {
  const branch = new CacheStore(ctx.store);
  const events: Event[] = [];
  const bctx: ModuleContext = { ...ctx, store: branch, events };
  for (let i = 0; i < proposal.messages.length; i++) {
    const msg = proposal.messages[i]!;
    try {
      await bctx.runMsg(msg, keeper.authority);
    } catch (e) {
      const err = toSdkError(e);
      return {
        status: STATUS.failed,
        tag: "proposal_failed",
        log: `passed, but msg ${i} (${msg.typeUrl}) failed on execution: ${err.message}`,
        failedReason: err.message,
      };
    }
  }
  branch.write();
  ctx.events.push(...events);
  return { status: STATUS.passed, tag: "proposal_passed", log: "passed", failedReason: "" };
}
