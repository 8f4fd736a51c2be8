// The eks-istio guardrails as plain policy objects, one file of rules per concern under rules/.
// Each check is a pure function from a resource's type, name, inputs and provider to a list of
// messages, so the tests run them offline without a policy engine (index.ts serves the pack to the
// Pulumi CLI; loading this module starts nothing).
import type { EksIstioPolicy } from "./rules/common";
import { helmChartSourceCurrent, helmReleasePinnedVersion } from "./rules/helm";
import { iamNoWildcardActions, irsaTrustPinsSubAndAud } from "./rules/iam";
import { iamDestructiveActionsScoped } from "./rules/iamDestructive";
import { istioV1Apis, kubernetesExplicitProvider } from "./rules/kubernetes";
import { productAlbDeletionProtection, productEndpointNotOpen } from "./rules/production";

export * from "./rules/common";
export * from "./rules/helm";
export * from "./rules/iam";
export * from "./rules/iamDestructive";
export * from "./rules/kubernetes";
export * from "./rules/production";

/** Every policy of the eks-istio pack, in the order the pack reports them. */
export const policies: EksIstioPolicy[] = [
    helmReleasePinnedVersion,
    helmChartSourceCurrent,
    istioV1Apis,
    kubernetesExplicitProvider,
    irsaTrustPinsSubAndAud,
    iamNoWildcardActions,
    iamDestructiveActionsScoped,
    productAlbDeletionProtection,
    productEndpointNotOpen,
];
