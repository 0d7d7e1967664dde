#!/usr/bin/env bash
# A local identity provider and key material for the distributed mode on one machine (and docker compose), where no
# real identity provider runs. Never for production: there, the services trust the organisation's OIDC provider
# (docs/security.md) and a Data Protection certificate from a Kubernetes Secret (deploy/k8s).
#
#   deploy/local/identity.sh keys        makes (once) under .local/: an RSA signing key and its public JSON Web Key Set,
#                                        and a self-signed certificate that encrypts the Data Protection key ring; prints
#                                        the settings that point the services at them (KEY=value lines)
#   deploy/local/identity.sh token [--tenant GUID] [--role viewer|operator|admin|ops]... [--subject NAME] [--hours N]
#                                        prints a token signed with that key (default: admin, operator and viewer of the
#                                        tenant 00000000-0000-4000-8000-000000000001, for 8 hours)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
state="${PLATFORM_LOCAL_DIR:-$root/.local}"
dir="$state/identity"
issuer="${PLATFORM_LOCAL_ISSUER:-https://identity.local.invalid/}"
audience="rakuten-platform"

b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }

keys() {
  mkdir -p "$dir" "$state/dataprotection"
  chmod 700 "$dir" "$state/dataprotection"
  if [ ! -f "$dir/signing.key" ]; then
    (umask 077 && openssl genrsa -out "$dir/signing.key" 2048 2>/dev/null)
  fi
  local modulus kid
  modulus="$(openssl rsa -in "$dir/signing.key" -noout -modulus | cut -d= -f2 | perl -ne 'chomp; print pack("H*", $_)' | b64url)"
  kid="$(printf '%s' "$modulus" | openssl dgst -sha256 -binary | b64url | cut -c1-16)"
  printf '{"keys":[{"kty":"RSA","use":"sig","alg":"RS256","kid":"%s","n":"%s","e":"AQAB"}]}\n' "$kid" "$modulus" >"$dir/jwks.json"
  printf '%s' "$kid" >"$dir/kid"
  if [ ! -f "$state/dataprotection/tls.key" ]; then
    (umask 077 && openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=rakuten-platform-dataprotection" \
      -keyout "$state/dataprotection/tls.key" -out "$state/dataprotection/tls.crt" 2>/dev/null)
  fi
  cat <<OUT
Platform__Identity__Issuer=$issuer
Platform__Identity__Audience=$audience
Platform__Identity__SigningKeysFile=$dir/jwks.json
Platform__DataProtection__CertificatePath=$state/dataprotection/tls.crt
Platform__DataProtection__KeyPath=$state/dataprotection/tls.key
OUT
}

token() {
  local tenant="00000000-0000-4000-8000-000000000001" subject="local-user" hours=8 roles=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --tenant) tenant="$2"; shift 2 ;;
      --role) case "$2" in viewer|operator|admin|ops) roles+=("\"$2\"");; *) echo "unknown role $2" >&2; exit 2;; esac; shift 2 ;;
      --subject) subject="$2"; shift 2 ;;
      --hours) hours="$2"; shift 2 ;;
      *) echo "usage: $0 token [--tenant GUID] [--role viewer|operator|admin|ops]... [--subject NAME] [--hours N]" >&2; exit 2 ;;
    esac
  done
  [ ${#roles[@]} -gt 0 ] || roles=('"admin"' '"operator"' '"viewer"')
  [ -f "$dir/signing.key" ] || keys >/dev/null
  local now header payload input signature tenant_claim=""
  now="$(date +%s)"
  # An ops identity alone belongs to no tenant.
  if [ "${roles[*]}" != '"ops"' ]; then tenant_claim="\"tenant_id\":\"$tenant\","; fi
  header="$(printf '{"alg":"RS256","typ":"JWT","kid":"%s"}' "$(cat "$dir/kid")" | b64url)"
  payload="$(printf '{"iss":"%s","aud":"%s","sub":"%s",%s"roles":[%s],"iat":%d,"nbf":%d,"exp":%d}' \
    "$issuer" "$audience" "$subject" "$tenant_claim" "$(IFS=,; echo "${roles[*]}")" "$now" "$((now - 60))" "$((now + hours * 3600))" | b64url)"
  input="$header.$payload"
  signature="$(printf '%s' "$input" | openssl dgst -sha256 -sign "$dir/signing.key" -binary | b64url)"
  printf '%s.%s\n' "$input" "$signature"
}

case "${1:-keys}" in
  keys) keys ;;
  token) shift; token "$@" ;;
  *) echo "usage: $0 keys | token [options]" >&2; exit 2 ;;
esac
