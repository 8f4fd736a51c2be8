// The delivery pipeline (.github/workflows): pull requests are checked, rendered and previewed per
// stack with the policy pack; main is rolled out dev → stg → product, product behind reviewers; AWS
// is reached only through GitHub's OIDC token. The workflow files are parsed, not run.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";

const ROOT = path.resolve(__dirname, "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const STACKS = ["dev", "stg", "product"];

/** The major version each action is pinned to: the current one when written; bump here when upgrading. */
const ACTION_MAJORS: Record<string, string> = {
    "actions/checkout": "v7",
    "actions/setup-node": "v7",
    "actions/upload-artifact": "v7",
    "aws-actions/configure-aws-credentials": "v6",
    "pulumi/actions": "v7",
};

interface Step {
    name?: string;
    uses?: string;
    run?: string;
    if?: string;
    with?: Record<string, unknown>;
    env?: Record<string, unknown>;
}
interface Concurrency {
    group: string;
    "cancel-in-progress"?: boolean;
}
interface Job {
    name?: string;
    if?: string;
    "runs-on"?: string;
    needs?: string | string[];
    environment?: string | { name: string; url?: string };
    concurrency?: string | Concurrency;
    permissions?: Record<string, string>;
    strategy?: { "fail-fast"?: boolean; matrix?: Record<string, unknown> };
    steps?: Step[];
    uses?: string;
    with?: Record<string, unknown>;
    secrets?: unknown;
}
interface Workflow {
    name?: string;
    on: Record<string, unknown>;
    permissions?: Record<string, string>;
    jobs: Record<string, Job>;
}

function load(file: string): Workflow {
    const doc = parseYaml(fs.readFileSync(path.join(WORKFLOWS, file), "utf8")) as Workflow;
    assert.ok(doc && typeof doc.on === "object" && doc.jobs, `${file} has no 'on' map or no jobs`);
    return doc;
}

/** A job as it runs: a job that calls a local reusable workflow is replaced by the called job, its inputs filled in. */
function resolve(job: Job): Job & { called?: Workflow } {
    if (job.uses === undefined) return job;
    assert.match(job.uses, /^\.\/\.github\/workflows\/[\w.-]+\.ya?ml$/, "only local reusable workflows are expected");
    const called = load(path.basename(job.uses));
    const jobs = Object.values(called.jobs);
    assert.equal(jobs.length, 1, `${job.uses} should hold one job`);
    const inputs = job.with ?? {};
    const fill = (value: unknown): unknown =>
        typeof value === "string"
            ? value.replace(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g, (_, k: string) => String(inputs[k] ?? ""))
            : Array.isArray(value)
              ? value.map(fill)
              : value !== null && typeof value === "object"
                ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]))
                : value;
    return { ...(fill(jobs[0]) as Job), needs: job.needs, concurrency: job.concurrency, called };
}

function steps(job: Job): Step[] {
    assert.ok(Array.isArray(job.steps) && job.steps.length > 0, "job has no steps");
    return job.steps;
}

/** Index of the one step that uses `action` (any version). */
function usesIndex(all: Step[], action: string): number {
    const found = all.flatMap((s, i) => (s.uses?.split("@")[0] === action ? [i] : []));
    assert.equal(found.length, 1, `expected one step using ${action}, found ${found.length}`);
    return found[0];
}

/** A run command without the flags that only quieten npm. */
function normalized(run: string): string {
    return run
        .trim()
        .replace(/\s+--no-(audit|fund)\b/g, "")
        .replace(/\s+/g, " ");
}

/** Index of the one step whose command is `command` (npm's --no-audit/--no-fund aside). */
function runIndex(all: Step[], command: string): number {
    const found = all.flatMap((s, i) => (s.run !== undefined && normalized(s.run) === command ? [i] : []));
    assert.equal(found.length, 1, `expected one step running '${command}', found ${found.length}`);
    return found[0];
}

function environmentName(job: Job): string | undefined {
    return typeof job.environment === "string" ? job.environment : job.environment?.name;
}

function concurrencyOf(job: Job): Concurrency {
    assert.ok(job.concurrency !== undefined, "job has no concurrency");
    return typeof job.concurrency === "string" ? { group: job.concurrency } : job.concurrency;
}

function needsOf(job: Job): string[] {
    return job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];
}

/** Secrets and variables only: a role ARN, token or backend written into a workflow would be a leak or a fork hazard. */
const FROM_SETTINGS = /^\$\{\{\s*(vars|secrets)\.[A-Z0-9_]+(\s*\|\|\s*(vars|secrets)\.[A-Z0-9_]+)*\s*\}\}$/;

function assertOidcCredentials(all: Step[]): Step {
    const aws = all[usesIndex(all, "aws-actions/configure-aws-credentials")];
    assert.match(String(aws.with?.["role-to-assume"]), FROM_SETTINGS, "role-to-assume comes from a variable or secret");
    assert.ok(aws.with?.["aws-region"], "aws-region is set");
    for (const key of ["aws-access-key-id", "aws-secret-access-key", "aws-session-token"]) {
        assert.equal(aws.with?.[key], undefined, `${key}: OIDC only, no stored keys`);
    }
    return aws;
}

function assertPulumiStep(all: Step[], command: string, stack: string, tokenSecret: string): Step {
    const i = usesIndex(all, "pulumi/actions");
    const pulumi = all[i];
    const w = pulumi.with ?? {};
    assert.equal(w.command, command);
    assert.equal(w.policyPacks, "policy", "the policy pack runs with every preview and update");
    assert.ok(String(w["stack-name"]).endsWith(`/${stack}`), `stack-name ${w["stack-name"]} ends with /${stack}`);
    assert.match(
        String(w["stack-name"]),
        /\$\{\{\s*vars\.PULUMI_ORG/,
        "the organization comes from a repository variable",
    );
    // The backend: a self-managed URL from a variable, or Pulumi Cloud with a token from a secret.
    assert.match(String(w["cloud-url"]), FROM_SETTINGS);
    assert.equal(String(pulumi.env?.PULUMI_ACCESS_TOKEN).replace(/\s+/g, ""), `\${{secrets.${tokenSecret}}}`);
    // The pack's own dependencies are installed, and AWS credentials exist, before Pulumi runs.
    assert.ok(runIndex(all, "npm ci --prefix policy") < i);
    assert.ok(usesIndex(all, "aws-actions/configure-aws-credentials") < i);
    return pulumi;
}

describe("workflows", () => {
    const files = fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));

    it("are preview.yml, deploy.yml and the reusable pulumi-up.yml", () => {
        assert.deepEqual(files.sort(), ["deploy.yml", "preview.yml", "pulumi-up.yml"]);
    });

    it("never mention static AWS keys", () => {
        for (const f of files) {
            const text = fs.readFileSync(path.join(WORKFLOWS, f), "utf8");
            assert.doesNotMatch(
                text,
                /aws-access-key-id|aws-secret-access-key|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/i,
                f,
            );
        }
    });

    it("pin every action to its current major version", () => {
        for (const f of files) {
            for (const job of Object.values(load(f).jobs)) {
                for (const step of job.steps ?? []) {
                    if (step.uses === undefined) continue;
                    const [action, ref] = step.uses.split("@");
                    assert.match(ref ?? "", /^v\d+$/, `${f}: ${step.uses} is pinned to a major version tag`);
                    if (action in ACTION_MAJORS) assert.equal(ref, ACTION_MAJORS[action], `${f}: ${action}`);
                }
            }
        }
    });

    it("check out without keeping the job's GitHub token in .git/config (the code that runs next does not need it)", () => {
        for (const f of files)
            for (const job of Object.values(load(f).jobs))
                for (const step of (job.steps ?? []).filter((st) => st.uses?.startsWith("actions/checkout@")))
                    assert.equal(step.with?.["persist-credentials"], false, f);
    });

    it("ask for an OIDC token wherever they assume an AWS role", () => {
        for (const f of files) {
            const wf = load(f);
            const assumes = Object.values(wf.jobs).some((j) =>
                (j.steps ?? []).some((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@")),
            );
            if (assumes) assert.equal(wf.permissions?.["id-token"], "write", f);
        }
    });
});

describe("preview.yml (pull requests)", () => {
    const wf = load("preview.yml");
    const [jobId, ...others] = Object.keys(wf.jobs);
    const job = wf.jobs[jobId];
    const all = steps(job);

    it("runs on pull requests, as one matrix job over the three stacks", () => {
        assert.ok("pull_request" in wf.on);
        assert.deepEqual(others, [], "one job");
        assert.deepEqual(job.strategy?.matrix?.stack, STACKS);
        assert.equal(job.strategy?.["fail-fast"], false, "one stack's failure does not cancel the others' previews");
    });

    it("has exactly the permissions it needs: read the code, comment on the PR, get an OIDC token", () => {
        assert.deepEqual(wf.permissions, { contents: "read", "pull-requests": "write", "id-token": "write" });
        assert.equal(job.permissions, undefined, "no job widens them");
    });

    it("sets Node up from .nvmrc with the npm cache", () => {
        assert.ok(fs.existsSync(path.join(ROOT, ".nvmrc")));
        assert.ok(usesIndex(all, "actions/checkout") < usesIndex(all, "actions/setup-node"));
        const node = all[usesIndex(all, "actions/setup-node")];
        assert.equal(node.with?.["node-version-file"], ".nvmrc");
        assert.equal(node.with?.cache, "npm");
    });

    it("installs, lints, type-checks, tests and renders the stack, in that order", () => {
        const order = [
            "npm ci",
            "npm ci --prefix policy",
            "npm run lint",
            "npm run typecheck",
            "npm test",
            "npm run render -- ${{ matrix.stack }}",
        ].map((c) => runIndex(all, c));
        assert.deepEqual(
            order,
            [...order].sort((a, b) => a - b),
            "steps in order",
        );
        assert.ok(usesIndex(all, "actions/setup-node") < order[0]);
    });

    it("uploads the rendered stack as an artifact", () => {
        const i = usesIndex(all, "actions/upload-artifact");
        assert.ok(i > runIndex(all, "npm run render -- ${{ matrix.stack }}"));
        assert.equal(all[i].with?.path, "rendered/${{ matrix.stack }}");
        assert.match(String(all[i].with?.name), /\$\{\{\s*matrix\.stack\s*\}\}/, "one artifact per stack");
    });

    it("assumes an AWS role through OIDC, then previews the stack with the policy pack and comments on the PR", () => {
        const aws = assertOidcCredentials(all);
        const pulumi = assertPulumiStep(all, "preview", "${{ matrix.stack }}", "PULUMI_PREVIEW_ACCESS_TOKEN");
        assert.ok(all.indexOf(aws) > usesIndex(all, "actions/upload-artifact"), "offline checks first");
        assert.ok([true, "true"].includes(pulumi.with?.["comment-on-pr"] as boolean | string));
    });
});

describe("preview.yml: a pull request holds read-only credentials of one stack, never a deploy credential", () => {
    const text = fs.readFileSync(path.join(WORKFLOWS, "preview.yml"), "utf8");
    const job = Object.values(load("preview.yml").jobs)[0];
    const all = steps(job);
    const aws = all[usesIndex(all, "aws-actions/configure-aws-credentials")];

    it("runs each stack's job in the GitHub environment preview-<stack>: its own variables, secrets and OIDC subject", () => {
        assert.equal(environmentName(job), "preview-${{ matrix.stack }}");
    });

    it("assumes only the environment's preview role, with no fallback to any other", () => {
        assert.equal(String(aws.with?.["role-to-assume"]).replace(/\s+/g, ""), "${{vars.AWS_PREVIEW_ROLE_ARN}}");
    });

    it("never names the deploy role, the deploy token, or a fallback between variables", () => {
        assert.doesNotMatch(text, /(?<![A-Z_])AWS_ROLE_ARN/, "the deploy role's variable");
        assert.doesNotMatch(text, /secrets\.PULUMI_ACCESS_TOKEN\b/, "the deploy token");
        for (const step of all)
            for (const value of Object.values({ ...step.with, ...step.env }))
                assert.doesNotMatch(String(value), /\|\|\s*(vars|secrets)\./, `${step.name ?? step.uses}: a fallback`);
    });

    it("fails with a message, before any AWS step, when the environment has no preview role", () => {
        const check = all.findIndex((st) => /AWS_PREVIEW_ROLE_ARN == ''/.test(st.if ?? ""));
        assert.ok(check >= 0 && check < all.indexOf(aws), "the check runs before the credentials step");
        assert.match(String(all[check].if), /github\.event\.pull_request\.head\.repo\.full_name == github\.repository/);
        assert.match(
            String(all[check].run),
            /::error::.*preview-\$\{\{ matrix\.stack \}\}.*AWS_PREVIEW_ROLE_ARN[\s\S]*exit 1/,
        );
    });

    it("skips every credentialed step for pull requests from forks", () => {
        const forkGuard = "github.event.pull_request.head.repo.full_name == github.repository";
        for (const step of all.slice(all.indexOf(aws)))
            assert.ok(String(step.if).includes(forkGuard), `${step.name ?? step.uses} runs for forks`);
    });
});

describe("preview.yml: the offline update plan", () => {
    const all = steps(load("preview.yml").jobs.preview);
    const planIndex = () => {
        const found = all.flatMap((s, i) => (s.run?.includes("npm run --silent plan -- ") ? [i] : []));
        assert.equal(found.length, 1, "one step plans the stack");
        return found[0];
    };
    const named = (pattern: RegExp) => {
        const found = all.flatMap((s, i) => (pattern.test(s.name ?? "") ? [i] : []));
        assert.equal(found.length, 1, `one step named ${pattern}`);
        return found[0];
    };

    it("plans the stack from the pull request's base branch, written to a file", () => {
        const plan = all[planIndex()];
        assert.match(
            plan.run!,
            /npm run --silent plan -- \$\{\{ matrix\.stack \}\} --from "origin\/\$BASE_REF" --out plan\.txt/,
        );
        assert.equal(plan.env?.BASE_REF, "${{ github.base_ref }}");
    });

    it("checks the whole history out (the base branch's commit with it), still without persisting the token", () => {
        const checkout = all[usesIndex(all, "actions/checkout")];
        assert.equal(checkout.with?.["fetch-depth"], 0);
        assert.equal(checkout.with?.["persist-credentials"], false);
        // The branch name reaches the script through the environment, never pasted into it.
        for (const s of all) assert.doesNotMatch(s.run ?? "", /\$\{\{\s*github\.(base_ref|head_ref)/, s.name);
    });

    it("needs no cloud credentials: it runs after the render, before the AWS role is assumed, with no secret, for forks too", () => {
        const i = planIndex();
        assert.ok(i > runIndex(all, "npm run render -- ${{ matrix.stack }}"));
        assert.ok(i < usesIndex(all, "aws-actions/configure-aws-credentials"));
        assert.equal(all[i].if, undefined, "it runs for every pull request");
        assert.doesNotMatch(JSON.stringify(all[i]), /secrets\.|id-token/);
    });

    it("puts the plan on the pull request with the workflow's own token, once per stack, not for forks", () => {
        const i = named(/^Put the plan on the pull request$/);
        const comment = all[i];
        assert.ok(i > planIndex() && i < usesIndex(all, "aws-actions/configure-aws-credentials"));
        assert.equal(comment.if, "github.event.pull_request.head.repo.full_name == github.repository");
        assert.equal(comment.env?.GH_TOKEN, "${{ github.token }}");
        assert.doesNotMatch(JSON.stringify(comment), /secrets\./);
        // Edits its own comment (found by the stack's marker) instead of adding one per push.
        assert.match(comment.run!, /marker="<!-- eks-istio-plan:\$\{\{ matrix\.stack \}\} -->"/);
        assert.match(all[planIndex()].run!, /echo "<!-- eks-istio-plan:\$\{\{ matrix\.stack \}\} -->"/);
    });
});

describe("deploy.yml (main)", () => {
    const wf = load("deploy.yml");
    const jobs = Object.fromEntries(STACKS.map((s) => [s, wf.jobs[`up-${s}`]]));

    it("runs on pushes to main and on demand", () => {
        const push = wf.on.push as { branches?: string[] } | undefined;
        assert.deepEqual(push?.branches, ["main"]);
        assert.ok("workflow_dispatch" in wf.on);
        assert.equal("pull_request" in wf.on, false);
    });

    it("has one job per stack and nothing else, with read-only code access and an OIDC token", () => {
        assert.deepEqual(Object.keys(wf.jobs).sort(), ["up-dev", "up-product", "up-stg"]);
        assert.deepEqual(wf.permissions, { contents: "read", "id-token": "write" });
    });

    it("rolls out dev → stg → product, each stage only after the previous one", () => {
        assert.deepEqual(needsOf(jobs.dev), []);
        assert.deepEqual(needsOf(jobs.stg), ["up-dev"]);
        assert.deepEqual(needsOf(jobs.product), ["up-stg"]);
    });

    it("runs product in the product environment (required reviewers)", () => {
        assert.equal(environmentName(resolve(jobs.product)), "product");
        for (const s of ["dev", "stg"]) assert.notEqual(environmentName(resolve(jobs[s])), "product");
    });

    it("deploys only from main, on a push and on Run workflow alike: every job runs only for refs/heads/main", () => {
        for (const [id, job] of Object.entries(wf.jobs))
            assert.equal(
                String(job.if)
                    .replace(/^\$\{\{\s*|\s*\}\}$/g, "")
                    .replace(/\s+/g, " ")
                    .replace(/"/g, "'"),
                "github.ref == 'refs/heads/main'",
                id,
            );
    });

    it("one deploy role per environment: each stage runs in its own environment and takes that environment's AWS_ROLE_ARN, with no fallback", () => {
        const environments = STACKS.map((s) => environmentName(resolve(jobs[s])));
        assert.deepEqual(environments, STACKS);
        for (const stack of STACKS) {
            const all = steps(resolve(jobs[stack]));
            const aws = all[usesIndex(all, "aws-actions/configure-aws-credentials")];
            assert.equal(String(aws.with?.["role-to-assume"]).replace(/\s+/g, ""), "${{vars.AWS_ROLE_ARN}}", stack);
        }
    });

    it("never runs two updates of a stack at once, and never cancels one halfway", () => {
        const groups = STACKS.map((s) => {
            const c = concurrencyOf(jobs[s]);
            assert.equal(c["cancel-in-progress"], false, `up-${s}`);
            assert.ok(c.group.includes(s), `up-${s}: group ${c.group} names the stack`);
            return c.group;
        });
        assert.equal(new Set(groups).size, STACKS.length, "one group per stack");
    });

    for (const stack of STACKS) {
        it(`up-${stack}: installs, assumes the AWS role through OIDC and runs pulumi up with the policy pack`, () => {
            const job = resolve(jobs[stack]);
            const all = steps(job);
            assert.equal(all[usesIndex(all, "actions/setup-node")].with?.["node-version-file"], ".nvmrc");
            runIndex(all, "npm ci");
            assertOidcCredentials(all);
            assertPulumiStep(all, "up", stack, "PULUMI_ACCESS_TOKEN");
            if (job.called) {
                // A reusable workflow gets secrets only when the caller passes them on.
                assert.equal(jobs[stack].secrets, "inherit");
                assert.ok("workflow_call" in job.called.on);
                assert.equal(job.called.permissions?.["id-token"], "write");
                // Concurrency stays with the caller: the same group again inside would wait on itself.
                assert.equal(job.called.jobs[Object.keys(job.called.jobs)[0]].concurrency, undefined);
            }
        });
    }
});

describe("docs/pipeline.md: the roles it tells users to create", () => {
    const text = fs.readFileSync(path.join(ROOT, "docs", "pipeline.md"), "utf8");
    // Prose as one line: a sentence may wrap anywhere.
    const prose = text.replace(/\s+/g, " ");
    const blocks = [...text.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]) as { Statement: any[] });
    const trusts = blocks.filter((d) => d.Statement.some((st) => st.Action === "sts:AssumeRoleWithWebIdentity"));
    const subjects = trusts.map(
        (d) => d.Statement[0].Condition?.StringEquals?.["token.actions.githubusercontent.com:sub"],
    );

    it("one deploy role and one preview role per environment, each trusting exactly its own environment's subject", () => {
        assert.deepEqual(subjects, [
            "repo:<owner>/<repo>:environment:<stack>",
            "repo:<owner>/<repo>:environment:preview-<stack>",
        ]);
        for (const d of trusts) {
            assert.equal(d.Statement.length, 1);
            const condition = d.Statement[0].Condition;
            assert.deepEqual(Object.keys(condition), ["StringEquals"], "StringEquals only, never StringLike");
            assert.equal(condition.StringEquals["token.actions.githubusercontent.com:aud"], "sts.amazonaws.com");
        }
        // The environments the workflows run in are the ones the subjects name.
        assert.equal(environmentName(Object.values(load("preview.yml").jobs)[0]), "preview-${{ matrix.stack }}");
    });

    it("gives the preview role read-only AWS access: ReadOnlyAccess, and only reads and decryption of its stack's state", () => {
        assert.match(prose, /AWS managed policy `ReadOnlyAccess`/);
        const permissions = blocks.filter((d) => !trusts.includes(d));
        assert.equal(permissions.length, 1);
        const actions = permissions[0].Statement.flatMap((st) => (Array.isArray(st.Action) ? st.Action : [st.Action]));
        assert.deepEqual(actions.sort(), ["kms:Decrypt", "s3:GetObject", "s3:ListBucket"]);
    });

    it("gives the preview role AmazonEKSAdminViewPolicy through viewerPrincipalArns, never the administrator list", () => {
        assert.match(prose, /`eks-istio:cluster\.viewerPrincipalArns`[\s\S]{0,200}`AmazonEKSAdminViewPolicy`/);
        assert.doesNotMatch(text, /adminPrincipalArns|AmazonEKSClusterAdminPolicy/);
    });

    it("recommends separate accounts for production, says what each role needs, and main-only deployment branches for every environment", () => {
        assert.match(prose, /Put `product` in its own AWS account/);
        assert.match(prose, /It needs to manage everything the program creates/);
        assert.match(text, /\| `dev`, `stg` \| `main` only \|/);
        assert.match(text, /\| `product` \| `main` only \| required reviewers/);
        assert.match(prose, /a repository secret is readable by any workflow run from any branch/);
    });
});
