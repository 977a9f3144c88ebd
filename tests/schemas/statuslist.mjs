// Decode encodedList strings written by libro (emit_statuslists) with Digital Bazaar's
// @digitalbazaar/vc-bitstring-status-list, an implementation of W3C Bitstring Status List
// v1.0 written independently of libro, and check that exactly the expected bits are set.
//
// usage: node statuslist.mjs FILE   (lines "<encodedList> <entries> <i>,<j>,..." or "... -")
// Prints one line per list; exits 0 when every list decoded to the expected bits.
import { readFileSync } from "node:fs";

import { decodeList } from "@digitalbazaar/vc-bitstring-status-list";

const file = process.argv[2];
if (file === undefined) {
    console.error("usage: node statuslist.mjs FILE");
    process.exit(2);
}
const lines = readFileSync(file, "utf8").split("\n").filter((l) => l !== "");
let bad = 0;
for (const [n, line] of lines.entries()) {
    const [encodedList, entries, indexes] = line.split(" ");
    const want = indexes === "-" ? [] : indexes.split(",").map(Number);
    let reason = null;
    try {
        const list = await decodeList({ encodedList });
        if (list.length !== Number(entries)) {
            reason = `length ${list.length}, want ${entries}`;
        } else {
            const unset = want.filter((i) => !list.getStatus(i));
            let count = 0;
            for (let i = 0; i < list.length; i++) {
                if (list.getStatus(i)) {
                    count++;
                }
            }
            if (unset.length !== 0) {
                reason = `bits not set: ${unset.slice(0, 8).join(",")}`;
            } else if (count !== want.length) {
                reason = `${count} bits set, want ${want.length}`;
            }
        }
    } catch (e) {
        reason = `decode failed: ${e.message}`;
    }
    const what = `list ${n + 1} (${entries} entries, ${want.length} set, ${encodedList.length} chars)`;
    if (reason === null) {
        console.log(`ok ${what}`);
    } else {
        console.log(`FAIL ${what}: ${reason}`);
        bad++;
    }
}
if (lines.length < 5) {
    console.log(`FAIL only ${lines.length} lists`);
    bad++;
}
process.exit(bad === 0 ? 0 : 1);
