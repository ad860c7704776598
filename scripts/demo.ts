// The demo, the README's main job:  npm run demo  [-- --network localhost]
// Act 1: Alice's key is stolen after she committed to a next key; she rotates with it and the
// thief cannot stop her. Act 2: Carol's key is stolen before she committed; her guardians
// recover her DID while the thief tries to block them. Bob's app is warned of every change.
// Every expected outcome is checked; the process exits non-zero if any did not hold.
import { actOne } from "./demo/act1-prerotation.ts";
import { actTwo } from "./demo/act2-guardians.ts";
import { startDemo } from "./demo/kit.ts";

const started = performance.now();
const demo = await startDemo();
await actOne(demo);
await actTwo(demo);
const seconds = ((performance.now() - started) / 1000).toFixed(1);
const failures = demo.failures();
demo.say(`\n${failures === 0 ? "All checks held" : `${failures} check(s) FAILED`} (${seconds} s).`);
await demo.close();
process.exitCode = failures === 0 ? 0 : 1;
