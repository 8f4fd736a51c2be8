// Rewrites the compact JSON of every vendored CRD file (components/validation/vendor/SOURCES.json)
// after checking the vendored YAML against its locked sha256. Run after replacing a vendored file.
import * as fs from "node:fs";
import * as path from "node:path";
import { sha256, VENDOR_DIR, vendoredSources } from "../../components/validation/vendorData";
import { compactCrds } from "./compactCrds";

for (const [file, source] of Object.entries(vendoredSources())) {
    const full = path.join(VENDOR_DIR, file);
    const actual = sha256(full);
    if (actual !== source.sha256) throw new Error(`${file}: sha256 ${actual}, the lock says ${source.sha256}`);
    const compact = compactCrds(fs.readFileSync(full, "utf8"), `${source.repo} ${source.path} (${source.ref})`, actual);
    fs.writeFileSync(path.join(VENDOR_DIR, source.compact), JSON.stringify(compact) + "\n");
    console.log(`${source.compact}: ${Object.keys(compact.schemas).length} schemas`);
}
