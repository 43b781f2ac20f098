/**
 * THE list of images the repository builds: scripts/images.sh builds and tags exactly these,
 * compose/compose.yaml and the Helm chart refer to them by `tag`, and the checks map every
 * image reference back to its Dockerfile through this list.
 */
import { DEPLOYABLES, type Deployable } from './service-config.js';

/** Registry-less repository prefix: `minikube image load` and compose use the local name as is. */
export const IMAGE_REPOSITORY_PREFIX = 'marketshare';
/** One version for all images, the workspaces' own (every package.json says 0.1.0). */
export const IMAGE_VERSION = '0.1.0';

export interface ImageSpec {
  /** The deployable it runs, also the image's short name. */
  name: Deployable;
  /** Relative to the repository root, which is the build context. */
  dockerfile: string;
  /** Full reference, e.g. `marketshare/ms-auth:0.1.0`. */
  tag: string;
}

export function imageTag(name: Deployable): string {
  return `${IMAGE_REPOSITORY_PREFIX}/${name}:${IMAGE_VERSION}`;
}

export const IMAGES: readonly ImageSpec[] = DEPLOYABLES.map((name) => ({
  name,
  dockerfile: `${name}/Dockerfile`,
  tag: imageTag(name),
}));
