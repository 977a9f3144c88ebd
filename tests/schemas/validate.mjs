// Validate credential payloads against libro's JSON Schemas with ajv, a validator written
// independently of libro's C parser: each file is checked against the schema that its own
// credentialSchema.id names (mapped from https://w3id.org/libro/schemas/<name>.json to
// schemas/<name>.json), so a credential cannot pick a laxer schema than its type's.
//
// usage: node validate.mjs [--expect-invalid] FILE...
//   default: every file must be valid; --expect-invalid: every file must be rejected.
// Prints one line per failure and a count; exits 0 when every file met the expectation.
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const here = dirname(fileURLToPath(import.meta.url));
const schemaDir = join(here, "..", "..", "schemas");
const idPrefix = "https://w3id.org/libro/schemas/";

const args = process.argv.slice(2);
const expectInvalid = args[0] === "--expect-invalid";
const files = expectInvalid ? args.slice(1) : args;
if (files.length === 0) {
    console.error("usage: node validate.mjs [--expect-invalid] FILE...");
    process.exit(2);
}

// strict: unknown keywords or formats in our schemas are errors, not silently ignored.
const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);
const validators = new Map();
for (const name of readdirSync(schemaDir)) {
    if (!name.endsWith(".json")) {
        continue;
    }
    const schema = JSON.parse(readFileSync(join(schemaDir, name), "utf8"));
    if (schema.$id !== idPrefix + name) {
        console.error(`${name}: $id is ${schema.$id}, want ${idPrefix + name}`);
        process.exit(1);
    }
    validators.set(schema.$id, ajv.compile(schema));
}

let ok = 0;
let bad = 0;
for (const file of files) {
    let doc;
    let reason = null;
    try {
        doc = JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
        reason = `not JSON: ${e.message}`;
    }
    if (reason === null) {
        const id = doc?.credentialSchema?.id;
        const validate = typeof id === "string" ? validators.get(id) : undefined;
        if (validate === undefined) {
            reason = `no libro schema for credentialSchema.id ${JSON.stringify(id)}`;
        } else if (!validate(doc)) {
            reason = ajv.errorsText(validate.errors, { separator: "; " });
        }
    }
    const valid = reason === null;
    if (valid !== expectInvalid) {
        ok++;
        continue;
    }
    bad++;
    console.log(expectInvalid ? `${file}: accepted, want rejected` : `${file}: ${reason}`);
}
const what = expectInvalid ? "rejected as expected" : "valid";
console.log(`${ok} ${what}, ${bad} not (${validators.size} schemas)`);
process.exit(bad === 0 ? 0 : 1);
