// Decode encodedList strings written by libro (emit_statuslists) with Digital Bazaar's
// @digitalbazaar/vc-bitstring-status-list, an implementation of W3C Bitstring Status List
// v1.0 written independently of libro, and check that exactly the expected bits are set.
// Message lists (the status words) come as signed credentials: the signature is checked with
// node's own Ed25519, and each status of statusSize bits is read from the decoded bits as the
// spec says (§3.2: the value at index * statusSize, the first bit the most significant) and
// named by the list's own statusMessage (§2.1: "status" in hexadecimal with a 0x prefix).
//
// usage: node statuslist.mjs FILE   (lines "<encodedList> <entries> <i>,<j>,..." or "... -",
//                                    and "message <JWK> <JWS> <i>=<word>,..." or "... -")
// Prints one line per list; exits 0 when every list decoded to the expected bits and words.
import { createPublicKey, verify } from "node:crypto";
import { readFileSync } from "node:fs";

import { decodeList } from "@digitalbazaar/vc-bitstring-status-list";

const file = process.argv[2];
if (file === undefined) {
    console.error("usage: node statuslist.mjs FILE");
    process.exit(2);
}
const lines = readFileSync(file, "utf8").split("\n").filter((l) => l !== "");
let bad = 0;
let words = 0;

// The words of a signed message list, or the reason it is not one libro should have written.
async function messageWords(jwkText, jws) {
    const [h, p, sig] = jws.split(".");
    const key = createPublicKey({ key: JSON.parse(jwkText), format: "jwk" });
    if (!verify(null, Buffer.from(`${h}.${p}`), key, Buffer.from(sig, "base64url"))) {
        throw new Error("signature does not verify");
    }
    const header = JSON.parse(Buffer.from(h, "base64url").toString("utf8"));
    const vc = JSON.parse(Buffer.from(p, "base64url").toString("utf8"));
    const subject = vc.credentialSubject;
    if (header.typ !== "vc+jwt" || !vc.type.includes("BitstringStatusListCredential") ||
        subject.type !== "BitstringStatusList" || subject.statusPurpose !== "message") {
        throw new Error("not a message BitstringStatusListCredential");
    }
    const size = subject.statusSize;
    if (!Number.isInteger(size) || size < 1 || !Array.isArray(subject.statusMessage) ||
        subject.statusMessage.length !== 2 ** size) {
        throw new Error(`statusSize ${size} without 2^statusSize statusMessage entries`);
    }
    const names = new Map();
    for (const m of subject.statusMessage) {
        if (!/^0x[0-9a-f]+$/.test(m.status) || typeof m.message !== "string") {
            throw new Error(`bad statusMessage entry ${JSON.stringify(m)}`);
        }
        names.set(parseInt(m.status.slice(2), 16), m.message);
    }
    const list = await decodeList({ encodedList: subject.encodedList });
    if (list.length / size < 131072) {
        throw new Error(`${list.length / size} statuses: STATUS_LIST_LENGTH_ERROR`);
    }
    const got = [];
    for (let i = 0; i < list.length / size; i++) {
        let value = 0;
        for (let b = 0; b < size; b++) {
            value = value * 2 + (list.getStatus(i * size + b) ? 1 : 0);
        }
        if (value !== 0) {
            got.push(`${i}=${names.get(value)}`);
        }
    }
    if (names.get(0) !== "active") {
        throw new Error(`status 0x0 is "${names.get(0)}", not "active"`);
    }
    return got;
}

for (const [n, line] of lines.entries()) {
    if (line.startsWith("message ")) {
        const [, jwk, jws, expected] = line.split(" ");
        const want = expected === "-" ? [] : expected.split(",");
        let reason = null;
        let got = [];
        try {
            got = await messageWords(jwk, jws);
            if (got.join(",") !== want.join(",")) {
                reason = `words ${got.slice(0, 4).join(",")}..., want ${want.slice(0, 4).join(",")}...`;
            }
        } catch (e) {
            reason = `decode failed: ${e.message}`;
        }
        const what = `message list ${n + 1} (${want.length} words: ${want.slice(0, 3).join(",")}${want.length > 3 ? ",..." : ""})`;
        if (reason === null) {
            console.log(`ok ${what}`);
            words++;
        } else {
            console.log(`FAIL ${what}: ${reason}`);
            bad++;
        }
        continue;
    }
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
if (words < 3) {
    console.log(`FAIL only ${words} message lists read`);
    bad++;
}
process.exit(bad === 0 ? 0 : 1);
