#!/usr/bin/env bash
# Installs (or upgrades) the AWS provider (ASCP) and, as its chart's dependency, the Secrets
# Store CSI Driver into kube-system of the cluster kubectl points at: one Helm release, the
# way the provider's README installs them, with the values beside this script.
#
#   helm/install.sh          # rotation on, no syncing to Kubernetes Secrets
#   helm/install.sh --sync   # also syncSecret.enabled=true, for SecretProviderClass
#                            # orders-secrets-sync (manifests/optional/)
#
# The chart versions are pinned: provider chart 3.1.1, whose Chart.lock fixes the driver
# chart at 1.6.0 (the first driver release that hands the pod's tokens to providers only
# through the CSIDriver object's tokenRequests, which the values set). To move to newer
# releases, change PROVIDER_CHART_VERSION here after reading both charts' release notes,
# and the vendored chart defaults the build checks the values against
# (src/test/resources/schemas/).
#
# A driver installed earlier from its own chart (release csi-secrets-store, as this
# walkthrough used to do) owns the CSIDriver object and must go first:
#   helm --namespace kube-system uninstall csi-secrets-store
# (Running pods keep their mounted files; new pods wait in ContainerCreating until this
# script has run.)
#
# (Runs on bash 3.2, macOS's, too.)
set -euo pipefail

PROVIDER_CHART_VERSION=3.1.1
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
sync=false
case "${1:-}" in
  "") ;;
  --sync) sync=true ;;
  *) echo "usage: $0 [--sync]" >&2; exit 2 ;;
esac

helm repo add aws-secrets-manager https://aws.github.io/secrets-store-csi-driver-provider-aws
helm repo update aws-secrets-manager

helm upgrade --install secrets-provider-aws aws-secrets-manager/secrets-store-csi-driver-provider-aws \
  --namespace kube-system \
  --version "$PROVIDER_CHART_VERSION" \
  --values "$here/secrets-store-csi-driver-provider-aws-values.yaml" \
  --set secrets-store-csi-driver.syncSecret.enabled="$sync" \
  --wait

# The CSIDriver object must list both token audiences and requiresRepublish: true (rotation).
kubectl get csidriver secrets-store.csi.k8s.io \
  -o jsonpath='{.spec.tokenRequests[*].audience}{"  requiresRepublish="}{.spec.requiresRepublish}{"\n"}'
kubectl --namespace kube-system get daemonsets secrets-store-csi-driver secrets-provider-aws-secrets-store-csi-driver-provider-aws
