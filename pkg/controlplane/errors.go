package controlplane

import (
	"fmt"
	"net/http"

	"github.com/flowctl/flowctl/pkg/controlplane/api"
)

// Error is a failure the API reports to its caller: an HTTP status, a stable code and a message that
// says what to do. Any other error is an internal one and is reported without its text.
type Error struct {
	Status  int
	Code    string
	Message string
	Details []api.BuildError
}

func (e *Error) Error() string { return e.Message }

func badRequestf(format string, args ...any) error {
	return &Error{http.StatusBadRequest, api.CodeBadRequest, fmt.Sprintf(format, args...), nil}
}

func forbiddenf(format string, args ...any) error {
	return &Error{http.StatusForbidden, api.CodeForbidden, fmt.Sprintf(format, args...), nil}
}

func notFoundf(format string, args ...any) error {
	return &Error{http.StatusNotFound, api.CodeNotFound, fmt.Sprintf(format, args...), nil}
}

func conflictf(format string, args ...any) error {
	return &Error{http.StatusConflict, api.CodeConflict, fmt.Sprintf(format, args...), nil}
}
