package httpingest

import (
	"fmt"
	"strings"
)

// route is a binding's URL path, which may hold OpenAPI-style parameters: /vendors/{vendorId}
// matches /vendors/abc and yields pathParams {"vendorId": "abc"}.
type route struct {
	path     string   // as configured, reported as /_meta/reqPath
	segments []string // path split at "/", without the leading empty segment
	params   bool
}

func newRoute(path string) route {
	r := route{path: path, segments: strings.Split(strings.TrimPrefix(path, "/"), "/")}
	for _, s := range r.segments {
		if _, ok := paramName(s); ok {
			r.params = true
		}
	}
	return r
}

func paramName(segment string) (string, bool) {
	if len(segment) > 2 && strings.HasPrefix(segment, "{") && strings.HasSuffix(segment, "}") {
		return segment[1 : len(segment)-1], true
	}
	return "", false
}

// match reports whether a request path (already unescaped) is this route, with its parameters.
func (r route) match(path string) (map[string]string, bool) {
	if !r.params {
		return nil, path == r.path
	}
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if len(parts) != len(r.segments) || !strings.HasPrefix(path, "/") {
		return nil, false
	}
	values := map[string]string{}
	for i, s := range r.segments {
		if name, ok := paramName(s); ok {
			if parts[i] == "" {
				return nil, false
			}
			values[name] = parts[i]
		} else if s != parts[i] {
			return nil, false
		}
	}
	return values, true
}

// shape is the route with every parameter renamed alike: two routes of one shape match the same
// requests.
func (r route) shape() string {
	out := make([]string, len(r.segments))
	for i, s := range r.segments {
		if _, ok := paramName(s); ok {
			s = "{}"
		}
		out[i] = s
	}
	return "/" + strings.Join(out, "/")
}

// checkRoutes fails if two bindings would receive the same requests.
func checkRoutes(paths []string) error {
	seen := map[string]string{}
	for _, p := range paths {
		shape := newRoute(p).shape()
		if prev, dup := seen[shape]; dup {
			return fmt.Errorf("paths %s and %s both match requests for the same URLs: remove or change one of them", prev, p)
		}
		seen[shape] = p
	}
	return nil
}
