package api

import "net/url"

// ResolveRef resolves a schema's $id or $ref against the base URL it appears under, as the server
// checking a spec and the client bundling one must agree on. A base or ref that does not parse is
// returned as written, for the build to report.
func ResolveRef(base, ref string) string {
	b, err := url.Parse(base)
	if err != nil {
		return ref
	}
	r, err := url.Parse(ref)
	if err != nil {
		return ref
	}
	return b.ResolveReference(r).String()
}
