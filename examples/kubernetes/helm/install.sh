#!/usr/bin/env bash
# Installs (or upgrades) the Secrets Store CSI Driver and the AWS provider (ASCP) into
# kube-system of the cluster kubectl points at.
#
#   helm/install.sh          # rotation on, no syncing to Kubernetes Secrets
#   helm/install.sh --sync   # also syncSecret.enabled=true, for SecretProviderClass
#                            # orders-secrets-sync (manifests/optional/)
#
# Pin chart versions for production: DRIVER_CHART_VERSION=... PROVIDER_CHART_VERSION=...
# (Runs on bash 3.2, macOS's, too: empty arrays are expanded with the ${a[@]+...} idiom.)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
sync=false
case "${1:-}" in
  "") ;;
  --sync) sync=true ;;
  *) echo "usage: $0 [--sync]" >&2; exit 2 ;;
esac

driver_version=()
provider_version=()
[[ -n "${DRIVER_CHART_VERSION:-}" ]] && driver_version=(--version "$DRIVER_CHART_VERSION")
[[ -n "${PROVIDER_CHART_VERSION:-}" ]] && provider_version=(--version "$PROVIDER_CHART_VERSION")

helm repo add secrets-store-csi-driver https://kubernetes-sigs.github.io/secrets-store-csi-driver/charts
helm repo add aws-secrets-manager https://aws.github.io/secrets-store-csi-driver-provider-aws
helm repo update

# 1. The driver, with rotation enabled and its poll interval (values file beside this script).
helm upgrade --install csi-secrets-store secrets-store-csi-driver/secrets-store-csi-driver \
  --namespace kube-system \
  ${driver_version[@]+"${driver_version[@]}"} \
  --values "$here/secrets-store-csi-driver-values.yaml" \
  --set syncSecret.enabled="$sync" \
  --wait

# 2. The AWS provider. Its chart can install the driver as a dependency; that is switched off
#    here because step 1 installed the driver with our values (a second copy would fight over
#    the same CSIDriver object).
helm upgrade --install secrets-provider-aws aws-secrets-manager/secrets-store-csi-driver-provider-aws \
  --namespace kube-system \
  ${provider_version[@]+"${provider_version[@]}"} \
  --set secrets-store-csi-driver.install=false \
  --wait

kubectl get csidriver secrets-store.csi.k8s.io
kubectl --namespace kube-system get daemonsets
