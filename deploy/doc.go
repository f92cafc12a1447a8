// Package deploy holds the headless runner's container recipe (Containerfile) and its Kubernetes
// manifests (kubernetes/), which docs/deploy.md explains. It has no code: its test decodes every
// manifest strictly into the Kubernetes API types and checks what the runner needs of it.
package deploy
