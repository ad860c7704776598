// A real `hardhat node` with the registry and three identities (alice: a key and a service;
// bob: deactivated; carol: a change after a known time), a counting proxy in front of it, and
// helpers to run a resolver service over it and to send raw HTTP requests.
import { expect } from "chai";
import { request as httpRequest } from "node:http";
import { Writable } from "node:stream";
import type { Address, WalletClient } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { bytes32Name, createSigilResolver, sendOperation, serviceAttribute, type SigilNetwork, type SigilResolverConfig } from "sigil-did";
import { startResolverService, type RunningService, type ServeOptions } from "sigil-did-service";
import { devChain } from "../support/dev-chain.ts";
import { startHardhatNode, type HardhatNode } from "../support/hardhat-node.ts";
import { startRpcProxy, type RpcProxy } from "../support/rpc-proxy.ts";

const DAY = 86_400n;

export interface Chain {
  node: HardhatNode;
  proxy: RpcProxy;
  registry: Address;
  alice: string;
  bob: string;
  carol: string;
  /** A block before carol's change, and an ISO time after it. */
  carolBefore: bigint;
  carolChangedAt: string;
  net(overrides?: Partial<SigilNetwork>): SigilNetwork;
  stop(): Promise<void>;
}

export async function startChain(): Promise<Chain> {
  const node = await startHardhatNode();
  const proxy = await startRpcProxy(node.url);
  const { publicClient, deploySigil, funded } = devChain(node.url);
  const registry = await deploySigil();
  const target = { registry, publicClient };
  const [a, b, c]: WalletClient[] = [await funded(), await funded(), await funded()];
  const id = (w: WalletClient) => w.account!.address;
  await sendOperation(a, target, {
    type: "setAttribute",
    identity: id(a),
    ...serviceAttribute("Messaging", "https://inbox.example/alice"),
    validity: DAY,
  });
  await sendOperation(a, target, {
    type: "addDelegate",
    identity: id(a),
    delegateType: bytes32Name("sigAuth"),
    delegate: privateKeyToAccount(generatePrivateKey()).address,
    validity: DAY,
  });
  await sendOperation(b, target, { type: "deactivate", identity: id(b) });
  const carolBefore = await publicClient.getBlockNumber();
  await publicClient.request({ method: "evm_increaseTime", params: [60] } as never);
  const receipt = await sendOperation(c, target, {
    type: "setAttribute",
    identity: id(c),
    ...serviceAttribute("Messaging", "https://inbox.example/carol"),
    validity: DAY,
  });
  const changedAt = (await publicClient.getBlock({ blockNumber: receipt.blockNumber })).timestamp;
  const did = (w: WalletClient) => `did:sigil:local:${id(w).toLowerCase()}`;
  return {
    node,
    proxy,
    registry,
    alice: did(a),
    bob: did(b),
    carol: did(c),
    carolBefore,
    carolChangedAt: new Date(Number(changedAt + 1n) * 1000).toISOString(),
    net: (overrides = {}) => ({ chainId: 31337, name: "local", registry, rpcUrls: [proxy.url], ...overrides }),
    async stop() {
      await proxy.close();
      await node.stop();
    },
  };
}

/** A service on a free port; its log lines are kept for inspection. */
export async function serve(
  networks: SigilNetwork[],
  cache: SigilResolverConfig["cache"] = { maxAgeMs: 0 },
  maxBatch?: number,
  extra: Partial<ServeOptions> = {},
) {
  const logs: string[] = [];
  const logDestination = new Writable({ write: (chunk, _enc, done) => (logs.push(String(chunk)), done()) });
  const service: RunningService = await startResolverService({
    resolver: createSigilResolver({ networks, cache }),
    port: 0,
    logDestination,
    maxBatch,
    ...extra,
  });
  return { service, logs, url: service.url };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed body, whose shape the assertions check
  json(): any;
}

/** An HTTP request with the path sent exactly as given (fetch would re-encode it). */
export function raw(
  base: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path, method: options.method ?? "GET", headers: options.headers },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body, json: () => JSON.parse(body) }));
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

/** DID Resolution §12.1's table: error types by status (500 also takes "any other error URI"). */
const TYPES: Record<number, string> = {
  400: "INVALID_DID|INVALID_DID_URL|INVALID_OPTIONS",
  404: "NOT_FOUND",
  406: "REPRESENTATION_NOT_SUPPORTED",
  500: "INTERNAL_ERROR|INVALID_DID_DOCUMENT|INVALID_VERIFICATION_METHOD|INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD",
  501: "METHOD_NOT_SUPPORTED|FEATURE_NOT_SUPPORTED",
};

/**
 * The spec's error result: a resolution result (null document, empty metadata) for a DID, a
 * dereferencing result (null content, empty content metadata) for a DID URL, with problem
 * details whose type fits the status (DID Resolution §9, §10, §11, §12.1).
 */
export function expectErrorBody(r: RawResponse, status: number, type?: string) {
  expect(r.status, r.body).to.equal(status);
  const contentType = r.headers["content-type"];
  expect(["application/did-resolution", "application/did-url-dereferencing"], r.body).to.include(contentType);
  const body = r.json();
  let error;
  if (contentType === "application/did-resolution") {
    expect(body.didDocument).to.equal(null);
    expect(body.didDocumentMetadata).to.deep.equal({});
    error = body.didResolutionMetadata.error;
  } else {
    expect(body.content).to.equal(null);
    expect(body.contentMetadata).to.deep.equal({});
    error = body.dereferencingMetadata.error;
  }
  expect(error.type).to.match(new RegExp(`^https://(www\\.w3\\.org/ns/did|w3id\\.org/security)#(${type ?? TYPES[status]})$`));
  expect(error.title).to.be.a("string");
  expect(error.detail).to.be.a("string").and.not.equal("");
  return error as { type: string; title: string; detail: string };
}

/** An RFC 9457 answer outside resolution: problem+json, its status in the body, the status's title. */
export function expectProblem(r: RawResponse, status: number, title: string) {
  expect(r.status, r.body).to.equal(status);
  expect(r.headers["content-type"], `${status} ${r.body}`).to.match(/^application\/problem\+json(;|$)/);
  const body = r.json();
  expect(body).to.include({ type: "about:blank", title, status });
  expect(body.detail).to.be.a("string").and.not.equal("");
  expect(body.detail).to.not.equal(title);
  return body as { type: string; title: string; status: number; detail: string; errors?: { pointer: string; detail: string }[] };
}
