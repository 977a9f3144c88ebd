// An independent JOSE implementation (npm `jose` 5, panva: its Node build uses node:crypto, so
// it runs on Debian 12's Node.js 18, where jose 6's Web Crypto global is missing) reads and writes libro's
// ResponsibilityAgreement documents, JWS JSON General Serialization (RFC 7515 §7.2.1).
//
// usage: node jose_agreement.mjs verify DOC...
//            every signature of each DOC verifies with flattenedVerify under the publicKeyJwk
//            of the party its kid names (kid = "<party id>#<RFC 7638 thumbprint>", the
//            thumbprint computed by jose), generalVerify finds each party's signature, and
//            a copy with one signature byte flipped is refused. Prints one line per DOC.
//        node jose_agreement.mjs expect-bad DOC
//            at least one signature of DOC does not verify under its party's key (exit 0 then)
//        node jose_agreement.mjs verify-end DOC STATEMENT
//            every signature of the end STATEMENT (libro agreement end) verifies under the key of
//            the party of DOC its kid names, with typ libro-agreement-end+json, over a payload
//            that names DOC's hash; prints how many parties signed it.
//        node jose_agreement.mjs sign DRAFT OUT KEY.pem...
//            sign the payload of DRAFT (libro agreement draft's document, no signature yet),
//            its bytes as they are, with GeneralSign, one signature per PKCS#8 key, each under
//            its own protected header {"alg","kid","typ":"vc+jwt"}; the kid's party is the one
//            whose publicKeyJwk is the key's public half. Writes the document to OUT.
// Exit 0 as expected, 1 not, 2 usage.
import { readFileSync, writeFileSync } from "node:fs";
import { createHash, createPrivateKey, createPublicKey } from "node:crypto";

import {
    GeneralSign,
    base64url,
    calculateJwkThumbprint,
    exportJWK,
    flattenedVerify,
    generalVerify,
    importJWK,
} from "jose";

function die(msg) {
    console.error(`jose_agreement: ${msg}`);
    process.exit(1);
}

function algOf(jwk) {
    if (jwk.kty === "OKP" && jwk.crv === "Ed25519") {
        return "EdDSA";
    }
    if (jwk.kty === "EC" && jwk.crv === "P-256") {
        return "ES256";
    }
    die(`unexpected party key ${JSON.stringify(jwk)}`);
}

function parties(payloadBytes) {
    const vc = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payloadBytes));
    if (!vc.type.includes("ResponsibilityAgreement")) {
        die(`not a ResponsibilityAgreement: ${vc.type}`);
    }
    return vc.credentialSubject.parties;
}

// The party whose kid this is, after checking the thumbprint half with jose's own RFC 7638.
async function partyOfKid(ps, kid) {
    const hash = kid.lastIndexOf("#");
    const id = kid.slice(0, hash);
    const p = ps.find((q) => q.id === id);
    if (p === undefined) {
        return undefined;
    }
    const tp = await calculateJwkThumbprint(p.publicKeyJwk, "sha256");
    return tp === kid.slice(hash + 1) ? p : undefined;
}

async function verifyOne(doc, quiet = false) {
    const payload = base64url.decode(doc.payload);
    const ps = parties(payload);
    const seen = new Set();
    let bad = 0;
    for (const [i, s] of doc.signatures.entries()) {
        const hdr = JSON.parse(new TextDecoder().decode(base64url.decode(s.protected)));
        const p = await partyOfKid(ps, hdr.kid);
        if (p === undefined) {
            if (!quiet) {
                console.log(`signature ${i}: kid ${hdr.kid} names no party and its key`);
            }
            bad++;
            continue;
        }
        const key = await importJWK(p.publicKeyJwk, algOf(p.publicKeyJwk));
        try {
            const r = await flattenedVerify(
                { payload: doc.payload, protected: s.protected, signature: s.signature },
                key,
                { algorithms: [algOf(p.publicKeyJwk)] },
            );
            if (Buffer.compare(Buffer.from(r.payload), Buffer.from(payload)) !== 0) {
                throw new Error("payload differs");
            }
            if (r.protectedHeader.typ !== "vc+jwt" || r.protectedHeader.alg !== algOf(p.publicKeyJwk)) {
                throw new Error(`header ${JSON.stringify(r.protectedHeader)}`);
            }
            await generalVerify(doc, key);
            seen.add(p.id);
        } catch (e) {
            if (!quiet) {
                console.log(`signature ${i} (${p.name}): ${e.code ?? ""} ${e.message}`);
            }
            bad++;
        }
    }
    return { bad, signed: seen.size, n: ps.length };
}

// The same document with signature `i`'s first byte flipped must fail under its key.
async function flippedFails(doc, i) {
    const sig = base64url.decode(doc.signatures[i].signature);
    sig[0] ^= 1;
    const copy = structuredClone(doc);
    copy.signatures[i].signature = base64url.encode(sig);
    const r = await verifyOne(copy, true);
    return r.bad === 1;
}

const [mode, ...args] = process.argv.slice(2);
if (mode === "verify" && args.length > 0) {
    for (const file of args) {
        const doc = JSON.parse(readFileSync(file, "utf8"));
        const r = await verifyOne(doc);
        if (r.bad !== 0) {
            die(`${file}: ${r.bad} of ${doc.signatures.length} signatures refused`);
        }
        for (let i = 0; i < doc.signatures.length; i++) {
            if (!(await flippedFails(doc, i))) {
                die(`${file}: signature ${i} still verifies with a byte flipped`);
            }
        }
        console.log(
            `${file}: ${doc.signatures.length} signatures verified by jose, ${r.signed} of ${r.n} parties`,
        );
    }
} else if (mode === "verify-end" && args.length === 2) {
    const bytes = readFileSync(args[0]);
    const ps = parties(base64url.decode(JSON.parse(bytes.toString("utf8")).payload));
    const stmt = JSON.parse(readFileSync(args[1], "utf8"));
    const hash = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
    const seen = new Set();
    for (const [i, s] of stmt.signatures.entries()) {
        const hdr = JSON.parse(new TextDecoder().decode(base64url.decode(s.protected)));
        const p = await partyOfKid(ps, hdr.kid);
        if (p === undefined) {
            die(`${args[1]}: signature ${i}: kid ${hdr.kid} names no party`);
        }
        const alg = algOf(p.publicKeyJwk);
        const r = await flattenedVerify(
            { payload: stmt.payload, protected: s.protected, signature: s.signature },
            await importJWK(p.publicKeyJwk, alg),
            { algorithms: [alg] },
        );
        if (r.protectedHeader.typ !== "libro-agreement-end+json") {
            die(`${args[1]}: signature ${i}: typ ${r.protectedHeader.typ}`);
        }
        const body = JSON.parse(new TextDecoder().decode(r.payload));
        if (body.agreement !== hash) {
            die(`${args[1]}: names ${body.agreement}, not ${hash}`);
        }
        seen.add(p.id);
    }
    console.log(`${args[1]}: ${seen.size} of ${ps.length} parties' signatures verified by jose`);
} else if (mode === "expect-bad" && args.length === 1) {
    const doc = JSON.parse(readFileSync(args[0], "utf8"));
    const r = await verifyOne(doc);
    if (r.bad === 0) {
        die(`${args[0]}: every signature verified, want a refusal`);
    }
    console.log(`${args[0]}: jose refuses ${r.bad} signature(s), as it should`);
} else if (mode === "sign" && args.length >= 3) {
    const [draft, out, ...keys] = args;
    const text = base64url.decode(JSON.parse(readFileSync(draft, "utf8")).payload);
    const ps = parties(text);
    const sign = new GeneralSign(text);
    for (const file of keys) {
        const priv = createPrivateKey(readFileSync(file));
        const pub = await exportJWK(createPublicKey(priv));
        const tp = await calculateJwkThumbprint(pub, "sha256");
        const p = ps.find(
            (q) => q.publicKeyJwk.x === pub.x && q.publicKeyJwk.crv === pub.crv,
        );
        if (p === undefined) {
            die(`${file}: not the key of any party`);
        }
        sign.addSignature(priv).setProtectedHeader({
            alg: algOf(pub),
            kid: `${p.id}#${tp}`,
            typ: "vc+jwt",
        });
    }
    const doc = await sign.sign();
    writeFileSync(out, JSON.stringify(doc));
    console.log(`${out}: ${doc.signatures.length} signatures made by jose`);
} else {
    console.error(
        "usage: node jose_agreement.mjs verify DOC... | verify-end DOC STATEMENT | expect-bad DOC | " +
            "sign DRAFT OUT KEY.pem...",
    );
    process.exit(2);
}
