// The edge controls in config (ingress.accessLogs, ingress.wafAclArn, ingress.allowedCidrs) and
// Prometheus's storage: what is refused, with the message a user reads at its key path, what is
// accepted next to it, the defaults, and the warnings.
import * as assert from "node:assert/strict";
import { ConfigError, type StackConfig } from "../components/config";
import { parseStackConfig } from "../components/stack";

const CERT = "arn:aws:acm:ap-northeast-1:111122223333:certificate/0a1b2c3d-0000-4000-8000-000000000001";
const ACL = (region = "ap-northeast-1", scope = "regional", partition = "aws", account = "111122223333") =>
    `arn:${partition}:wafv2:${region}:${account}:${scope}/webacl/edge/0a1b2c3d-0000-4000-8000-000000000002`;

function parse(ingress: Record<string, unknown>, { stack = "dev", region = "ap-northeast-1", values = {} } = {}) {
    return parseStackConfig({ stack, region, values: { ingress: { port: 8000, ...ingress }, ...values } });
}

/** Every problem for `ingress`, as "path: message" lines; [] when it parses. */
function problems(ingress: Record<string, unknown>, opts: { stack?: string; region?: string } = {}): string[] {
    try {
        parse(ingress, opts);
        return [];
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        return e.problems.map((p) => `${p.path}: ${p.message}`);
    }
}

// The edge's warnings (the API endpoint's, on cluster.*, are tested in exposure.spec.ts).
const warnings = (cfg: StackConfig) =>
    cfg.warnings.filter((w) => w.path.startsWith("eks-istio:ingress.")).map((w) => `${w.path}: ${w.message}`);

describe("edge config: refused, with the key and what would be right", () => {
    const A = "eks-istio:ingress";
    const right =
        "use a web ACL of scope REGIONAL in ap-northeast-1 (arn:aws:wafv2:ap-northeast-1:<account>:regional/webacl/<name>/<id>)";
    const CASES: { name: string; ingress: Record<string, unknown>; region?: string; expected: string[] }[] = [
        {
            name: "a CLOUDFRONT-scoped web ACL",
            ingress: { wafAclArn: ACL("us-east-1", "global") },
            expected: [
                `${A}.wafAclArn: is a CLOUDFRONT-scoped web ACL (global/webacl), which only CloudFront distributions take; an ALB takes a web ACL of scope REGIONAL in ap-northeast-1 (arn:aws:wafv2:ap-northeast-1:<account>:regional/webacl/<name>/<id>)`,
            ],
        },
        {
            name: "a web ACL of another region",
            ingress: { wafAclArn: ACL("us-west-2") },
            expected: [
                `${A}.wafAclArn: is a web ACL in us-west-2, but the ALB is in ap-northeast-1, and a web ACL protects only resources of its own region; ${right}`,
            ],
        },
        {
            name: "a web ACL of another partition",
            ingress: { wafAclArn: ACL("ap-northeast-1", "regional", "aws-cn") },
            expected: [
                `${A}.wafAclArn: is an ARN of partition aws-cn, but ap-northeast-1 is in partition aws; ${right}`,
            ],
        },
        {
            name: "a GovCloud stack with a commercial web ACL",
            ingress: { wafAclArn: ACL("us-gov-west-1") },
            region: "us-gov-west-1",
            expected: [
                `${A}.wafAclArn: is an ARN of partition aws, but us-gov-west-1 is in partition aws-us-gov; use a web ACL of scope REGIONAL in us-gov-west-1 (arn:aws-us-gov:wafv2:us-gov-west-1:<account>:regional/webacl/<name>/<id>)`,
            ],
        },
        {
            name: "a WAF Classic web ACL",
            ingress: {
                wafAclArn:
                    "arn:aws:waf-regional:ap-northeast-1:111122223333:webacl/0a1b2c3d-0000-4000-8000-000000000002",
            },
            expected: [
                `${A}.wafAclArn: is a WAF Classic web ACL; the controller attaches it only through another annotation, and AWS has ended WAF Classic: use a WAFv2 web ACL of scope REGIONAL, such as arn:aws:wafv2:ap-northeast-1:123456789012:regional/webacl/<name>/<id>`,
            ],
        },
        {
            name: "not an ARN",
            ingress: { wafAclArn: "edge-acl" },
            expected: [
                `${A}.wafAclArn: must be the ARN of a WAFv2 web ACL of scope REGIONAL, such as arn:aws:wafv2:ap-northeast-1:123456789012:regional/webacl/<name>/<id>`,
            ],
        },
        {
            name: "an empty allow list",
            ingress: { allowedCidrs: [] },
            expected: [
                `${A}.allowedCidrs: is empty, which the controller reads as no restriction (0.0.0.0/0); list the address blocks that may reach the ALB, or remove the key`,
            ],
        },
        {
            name: "an IPv6 block, host bits, a repeat",
            ingress: { allowedCidrs: ["::/0", "10.1.2.3/16", "198.51.100.0/24", "198.51.100.0/24"] },
            expected: [
                `${A}.allowedCidrs[0]: "::/0" is an IPv6 block, but this stack's ALBs are IPv4 only, and the controller ignores IPv6 blocks on an IPv4 ALB; list IPv4 blocks such as 203.0.113.0/24`,
                `${A}.allowedCidrs[1]: "10.1.2.3/16" has host bits set; did you mean 10.1.0.0/16?`,
                `${A}.allowedCidrs[3]: "198.51.100.0/24" is also eks-istio:ingress.allowedCidrs[2]; list each block once`,
            ],
        },
        {
            name: "access logs as something other than true, false or settings",
            ingress: { accessLogs: "yes" },
            expected: [
                `${A}.accessLogs: must be true (a bucket the stack creates), false, or a map of settings (bucket, prefix, retentionDays)`,
            ],
        },
        {
            name: "a misspelt setting, a bucket name S3 refuses, a prefix ELB refuses",
            ingress: { accessLogs: { bukcet: "x", prefix: "alb/AWSLogs" } },
            expected: [
                `${A}.accessLogs.prefix: "alb/AWSLogs" contains "AWSLogs", which Elastic Load Balancing adds after the prefix itself and refuses in it`,
                `${A}.accessLogs: unknown key "bukcet" (did you mean "bucket"?)`,
            ],
        },
        {
            name: "bucket names S3 refuses",
            ingress: { accessLogs: { bucket: "Logs_Bucket" } },
            expected: [
                `${A}.accessLogs.bucket: "Logs_Bucket" is not an S3 bucket name: 3-63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit`,
            ],
        },
        {
            name: "a prefix with a leading slash, or a comma that would end the annotation's value",
            ingress: { accessLogs: { prefix: "/alb,dev" } },
            expected: [
                `${A}.accessLogs.prefix: "/alb,dev" is not a prefix: use letters, digits and ! _ . * ' ( ) -, with "/" between parts and not at either end, e.g. "alb/dev"`,
            ],
        },
        {
            name: "a retention for a bucket the stack does not create",
            ingress: { accessLogs: { bucket: "acme-logs", retentionDays: 30 } },
            expected: [
                `${A}.accessLogs.retentionDays: applies only to the bucket the stack creates; with accessLogs.bucket, the lifecycle rules of your bucket decide how long logs stay: remove one of the two keys`,
            ],
        },
        {
            name: "a retention of no whole day",
            ingress: { accessLogs: { retentionDays: 0.5 } },
            expected: [`${A}.accessLogs.retentionDays: must be a whole number of days, such as 90`],
        },
        {
            name: "a bucket of the stack's own where AWS documents no log-delivery principal",
            ingress: { accessLogs: true },
            // A GovCloud region the table does not list (the service principal is documented for
            // the commercial partition only).
            region: "us-gov-central-1",
            expected: [
                `${A}.accessLogs: AWS documents no Elastic Load Balancing log-delivery account for us-gov-central-1, so the program cannot write the policy of a bucket of its own there; name an existing bucket whose policy lets Elastic Load Balancing write (accessLogs.bucket)`,
            ],
        },
    ];
    for (const c of CASES) it(c.name, () => assert.deepEqual(problems(c.ingress, { region: c.region }), c.expected));

    const ACCEPTED: { name: string; ingress: Record<string, unknown>; region?: string }[] = [
        { name: "a REGIONAL web ACL of the stack's region", ingress: { wafAclArn: ACL() } },
        {
            name: "a GovCloud web ACL in GovCloud",
            ingress: { wafAclArn: ACL("us-gov-west-1", "regional", "aws-us-gov") },
            region: "us-gov-west-1",
        },
        {
            name: "a 3-character bucket and a nested prefix",
            ingress: { accessLogs: { bucket: "a.b", prefix: "alb/dev-1" } },
        },
        {
            name: "a bucket of the stack's own in a region of the service principal",
            ingress: { accessLogs: true },
            region: "me-central-1",
        },
        { name: "a bucket of the stack's own in China", ingress: { accessLogs: true }, region: "cn-northwest-1" },
        {
            name: "a bucket elsewhere, in a region with no principal",
            ingress: { accessLogs: { bucket: "acme-logs" } },
            region: "us-gov-central-1",
        },
        { name: "access logs off", ingress: { accessLogs: false } },
        {
            name: "one block, the whole internet (a warning outside production, not an error)",
            ingress: { allowedCidrs: ["0.0.0.0/0"] },
        },
    ];
    for (const c of ACCEPTED)
        it(`accepts ${c.name}`, () => assert.deepEqual(problems(c.ingress, { region: c.region }), []));
});

describe("edge config: defaults", () => {
    const logs = (ingress: Record<string, unknown>, stack = "dev") =>
        parse({ ...ingress, ...(stack === "product" ? { certificateArn: CERT } : {}) }, { stack }).ingress.accessLogs;
    const CASES: { name: string; ingress: Record<string, unknown>; stack?: string; expected: unknown }[] = [
        { name: "absent: off", ingress: {}, expected: undefined },
        { name: "false: off", ingress: { accessLogs: false }, expected: undefined },
        {
            name: "true on dev: a bucket of its own, a month, under the environment",
            ingress: { accessLogs: true },
            expected: { prefix: "dev", retentionDays: 30 },
        },
        {
            name: "true in production: a quarter",
            ingress: { accessLogs: true },
            stack: "product",
            expected: { prefix: "product", retentionDays: 90 },
        },
        {
            name: "settings override each default",
            ingress: { accessLogs: { prefix: "edge/dev", retentionDays: 400 } },
            expected: { prefix: "edge/dev", retentionDays: 400 },
        },
        {
            name: "a given bucket: no retention of the stack's",
            ingress: { accessLogs: { bucket: "acme-logs" } },
            expected: { bucket: "acme-logs", prefix: "dev" },
        },
    ];
    for (const c of CASES) it(c.name, () => assert.deepEqual(logs(c.ingress, c.stack), c.expected));

    it("keeps no key of its own in the parsed ingress (the retention defaults stay in the contract)", () =>
        assert.deepEqual(Object.keys(parse({}).ingress).sort(), [
            "allowPlainHttpInProduction",
            "hosts",
            "port",
            "scheme",
            "sslPolicy",
            "targetType",
        ]));
});

describe("edge config: warnings", () => {
    const open =
        "so the dev ALB, internet-facing, lets every address on the internet reach every app routed on it; an environment that is not production is rarely meant for everyone: list who may reach it (your office or VPN egress, e.g. [203.0.113.0/24]), or set eks-istio:ingress.scheme: internal";
    const CASES: { name: string; ingress: Record<string, unknown>; stack?: string; expected: string[] }[] = [
        {
            name: "dev, internet-facing, no allow list",
            ingress: {},
            expected: [`eks-istio:ingress.allowedCidrs: is not set, ${open}`],
        },
        {
            name: "dev, with 0.0.0.0/0 among its blocks",
            ingress: { allowedCidrs: ["192.0.3.0/24", "0.0.0.0/0"] },
            expected: [`eks-istio:ingress.allowedCidrs[1]: is 0.0.0.0/0, ${open}`],
        },
        {
            name: "stg as well",
            ingress: {},
            stack: "stg",
            expected: [`eks-istio:ingress.allowedCidrs: is not set, ${open.replace("dev ALB", "stg ALB")}`],
        },
        { name: "dev, internal", ingress: { scheme: "internal" }, expected: [] },
        {
            name: "dev, limited to reachable blocks",
            ingress: { allowedCidrs: ["192.0.3.0/24", "198.18.0.0/15"] },
            expected: [],
        },
        {
            name: "production, open: a public service",
            ingress: { certificateArn: CERT },
            stack: "product",
            expected: [],
        },
        {
            name: "an allow list of documentation ranges only",
            ingress: { allowedCidrs: ["203.0.113.0/24", "192.0.2.0/25"] },
            expected: [
                "eks-istio:ingress.allowedCidrs: 203.0.113.0/24, 192.0.2.0/25 are documentation ranges (RFC 5737) that no client has: nothing can reach the ALB. Set it to the addresses of your clients before `pulumi up`",
            ],
        },
        {
            name: "more blocks than the security group holds by default (two listeners with a certificate)",
            ingress: {
                certificateArn: CERT,
                allowedCidrs: Array.from({ length: 31 }, (_, i) => `10.${i}.0.0/16`),
            },
            expected: [
                `eks-istio:ingress.allowedCidrs: 31 blocks on 2 listener ports make 62 inbound rules in the ALB's security group, above the default quota of 60; the controller cannot apply them unless the quota "Inbound or outbound rules per security group" is raised, so merge blocks or raise it first`,
            ],
        },
        {
            name: "30 blocks on two listeners: exactly the quota",
            ingress: { certificateArn: CERT, allowedCidrs: Array.from({ length: 30 }, (_, i) => `10.${i}.0.0/16`) },
            expected: [],
        },
        {
            name: "a web ACL of AWS's documentation account (the shipped placeholder)",
            ingress: { scheme: "internal", wafAclArn: ACL("ap-northeast-1", "regional", "aws", "123456789012") },
            expected: [
                "eks-istio:ingress.wafAclArn: names account 123456789012, AWS's documentation example: replace it with the ARN of your web ACL before `pulumi up`, or the controller fails to associate it, never reports the ALB's address, and `pulumi up` times out waiting for the Ingress",
            ],
        },
    ];
    for (const c of CASES)
        it(c.name, () => assert.deepEqual(warnings(parse(c.ingress, { stack: c.stack })), c.expected));
});

describe("observability config: Prometheus's storage and its StorageClass", () => {
    const storage = (s: Record<string, unknown>) =>
        parse({ scheme: "internal" }, { values: { observability: { prometheus: { storage: s } } } }).observability
            .prometheus!.storage;
    it("without a StorageClass: the stack's own gp3, which it creates", () =>
        assert.deepEqual(storage({ size: "50Gi" }), {
            size: "50Gi",
            storageClass: "gp3",
            existingStorageClass: false,
        }));
    it("a named StorageClass exists already: the stack creates none, even one named gp3", () => {
        assert.deepEqual(storage({ size: "50Gi", storageClass: "gp3" }), {
            size: "50Gi",
            storageClass: "gp3",
            existingStorageClass: true,
        });
        assert.deepEqual(storage({ size: "50Gi", storageClass: "io2-kms" })?.existingStorageClass, true);
    });
    it("production without storage: the warning says what setting it installs", () =>
        assert.match(
            parse({ certificateArn: CERT }, { stack: "product", values: { observability: { prometheus: true } } })
                .warnings.map((w) => `${w.path}: ${w.message}`)
                .join("\n"),
            /set prometheus\.storage \(e\.g\. \{size: 50Gi\}: the stack then installs the EBS CSI driver and an encrypted gp3 StorageClass for the volume\)/,
        ));
});
