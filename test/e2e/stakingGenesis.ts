import { fromBech32, toBech32 } from "@cosmjs/encoding";
import { PubKey } from "cosmjs-types/cosmos/crypto/ed25519/keys";
import { signTx, type TestAccount, testAccount } from "../support/txSigner.ts";

/** The operator account of the i-th validator of an e2e staking chain (a fixed test key). */
export function operatorAccount(i: number): Promise<TestAccount> {
  return testAccount(1000 + i, 0n);
}

/** `cosmosvaloper1...` of an account address. */
export function valoperOf(address: string): string {
  return toBech32("cosmosvaloper", fromBech32(address, 1023).data);
}

/** A MsgCreateValidator as CosmJS encodes it (rates as 18-decimal atomics). */
export function createValidatorMsg(
  operator: string,
  consPubKey: Uint8Array,
  moniker: string,
  amount: bigint,
  o: { rate?: string; maxRate?: string; maxChangeRate?: string; minSelfDelegation?: string } = {},
) {
  return {
    typeUrl: "/cosmos.staking.v1beta1.MsgCreateValidator",
    value: {
      description: { moniker, identity: "", website: "", securityContact: "", details: "" },
      commission: {
        rate: o.rate ?? "100000000000000000",
        maxRate: o.maxRate ?? "200000000000000000",
        maxChangeRate: o.maxChangeRate ?? "10000000000000000",
      },
      minSelfDelegation: o.minSelfDelegation ?? "1",
      delegatorAddress: "",
      validatorAddress: valoperOf(operator),
      pubkey: {
        typeUrl: "/cosmos.crypto.ed25519.PubKey",
        value: PubKey.encode({ key: consPubKey }).finish(),
      },
      value: { denom: "stake", amount: amount.toString() },
    },
  };
}

/** A gentx: MsgCreateValidator signed with account number 0 and sequence 0, as at genesis. */
export async function gentx(
  chainId: string,
  operator: TestAccount,
  consPubKey: Uint8Array,
  moniker: string,
  selfBond: bigint,
): Promise<string> {
  const tx = await signTx(operator, [createValidatorMsg(operator.address, consPubKey, moniker, selfBond)], {
    sequence: 0n,
    accountNumber: 0n,
    fee: [],
    gas: 400_000n,
    chainId,
  });
  return Buffer.from(tx).toString("base64");
}
