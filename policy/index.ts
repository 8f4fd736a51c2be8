// The eks-istio policy pack, served to the Pulumi CLI: `pulumi preview --policy-pack policy`.
// The policies themselves live in policies.ts, where tests can load them without starting a server.
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("eks-istio", {
    description:
        "Guardrails for eks-istio stacks: pinned Helm charts from current locations, Istio v1 APIs, explicit Kubernetes providers, " +
        "pinned IRSA trust, no wildcard IAM actions, no unscoped destructive IAM actions, and production-only ALB and API endpoint rules.",
    enforcementLevel: "mandatory",
    policies,
});
