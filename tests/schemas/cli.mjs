// Validate documents that `libro ... --json` printed against the command's schema in
// schemas/cli/ (draft 2020-12, checked by ajv, independently of the C that printed them).
//
// usage: node cli.mjs SCHEMA_NAME FILE...     (SCHEMA_NAME e.g. verify.schema.json)
// Each FILE holds exactly one JSON document. Prints one line per failure and a count.
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const here = dirname(fileURLToPath(import.meta.url));
const cliDir = join(here, "..", "..", "schemas", "cli");
const idPrefix = "https://w3id.org/libro/schemas/cli/";

const [schemaName, ...files] = process.argv.slice(2);
if (schemaName === undefined || files.length === 0) {
    console.error("usage: node cli.mjs SCHEMA_NAME FILE...");
    process.exit(2);
}
// Union types ("type": ["string", "null"]) are standard JSON Schema; strict mode wants
// them allowed explicitly.
const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
addFormats(ajv);
for (const name of readdirSync(cliDir)) {
    if (name.endsWith(".json")) {
        const schema = JSON.parse(readFileSync(join(cliDir, name), "utf8"));
        if (schema.$id !== idPrefix + name) {
            console.error(`${name}: $id is ${schema.$id}, want ${idPrefix + name}`);
            process.exit(1);
        }
        ajv.addSchema(schema);
    }
}
const validate = ajv.getSchema(idPrefix + schemaName);
if (validate === undefined) {
    console.error(`no schema ${schemaName} in schemas/cli`);
    process.exit(2);
}
let ok = 0;
let bad = 0;
for (const file of files) {
    let doc;
    try {
        doc = JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
        console.log(`${file}: not one JSON document: ${e.message}`);
        bad++;
        continue;
    }
    if (validate(doc)) {
        ok++;
    } else {
        console.log(`${file}: ${ajv.errorsText(validate.errors, { separator: "; " })}`);
        bad++;
    }
}
console.log(`${schemaName}: ${ok} valid, ${bad} not`);
process.exit(bad === 0 ? 0 : 1);
