// Package draft is flowctl's side of the control plane: the API client, the bundling of local catalog
// sources into draft specs, the publish plan with its readable diff, the profiles that hold the API
// address and token, and the pull-specs writer that turns live specs into a Git-friendly file tree.
package draft
