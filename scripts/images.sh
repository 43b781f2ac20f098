#!/usr/bin/env bash
# Builds and tags every image of scripts/cluster/images.ts (the list compose and the chart use),
# with the repository root as the build context. Uses docker, else podman (IMAGE_BUILDER=podman
# to choose). Usage: npm run images [-- name...]   e.g. npm run images -- ms-auth frontend
set -euo pipefail
cd "$(dirname "$0")/.."

builder="${IMAGE_BUILDER:-}"
if [ -z "$builder" ]; then
  if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
    builder=docker
  elif command -v podman >/dev/null 2>&1 && podman info >/dev/null 2>&1; then
    builder=podman
  fi
fi
if [ -z "$builder" ] || ! command -v "$builder" >/dev/null 2>&1; then
  echo "npm run images: no usable container engine." >&2
  echo "  Needs docker (with a running daemon: 'docker info' must work) or podman." >&2
  echo "  On a machine without one, the Dockerfiles are still checked by scripts/test/images.test.ts." >&2
  exit 1
fi

# "name<TAB>dockerfile<TAB>tag" per image, from the one list.
list="$(node --import tsx -e "
  const { IMAGES } = await import('./scripts/cluster/images.ts');
  for (const image of IMAGES) console.log([image.name, image.dockerfile, image.tag].join('\t'));
")"

built=()
while IFS=$'\t' read -r name dockerfile tag; do
  if [ "$#" -gt 0 ] && [[ " $* " != *" $name "* ]]; then continue; fi
  echo "==> $builder build -f $dockerfile -t $tag ."
  "$builder" build -f "$dockerfile" -t "$tag" .
  built+=("$tag")
done <<<"$list"

if [ "${#built[@]}" -eq 0 ]; then
  echo "npm run images: no image named $* (see scripts/cluster/images.ts)" >&2
  exit 1
fi

echo
echo "Built: ${built[*]}"
echo "compose uses them as they are (docker compose --env-file compose/.env -f compose/compose.yaml up)."
echo "For minikube, load them into the cluster's runtime:"
for tag in "${built[@]}"; do echo "  minikube image load $tag"; done
