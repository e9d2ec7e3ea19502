package api

import "encoding/json"

// SpecType is the kind of a catalog entity.
type SpecType string

// The spec types of Flow's catalog. Derivations are collections with a `derive` block.
const (
	Capture         SpecType = "capture"
	Collection      SpecType = "collection"
	Materialization SpecType = "materialization"
	Test            SpecType = "test"
)

// SpecTypes lists every spec type in the order catalogs are listed and written.
var SpecTypes = []SpecType{Capture, Collection, Materialization, Test}

// Valid reports whether t is one of SpecTypes.
func (t SpecType) Valid() bool {
	for _, s := range SpecTypes {
		if t == s {
			return true
		}
	}
	return false
}

// NoPubID as an expectPubId means "this spec must not exist yet".
const NoPubID = "0000000000000000"

// DraftSpec is one entry of a draft: a spec to publish, or a deletion when Spec is null.
type DraftSpec struct {
	CatalogName string          `json:"catalogName"`
	SpecType    SpecType        `json:"specType,omitempty"`
	Spec        json.RawMessage `json:"spec"`
	// ExpectPubID, when set, makes the publication fail unless the live spec was last published by
	// this publication (NoPubID: unless there is no live spec).
	ExpectPubID string `json:"expectPubId,omitempty"`
}

// IsDeletion reports whether the draft spec deletes its live spec.
func (d DraftSpec) IsDeletion() bool { return len(d.Spec) == 0 || string(d.Spec) == "null" }

// Draft is a user's set of pending changes.
type Draft struct {
	ID        string      `json:"id"`
	Detail    string      `json:"detail"`
	CreatedAt string      `json:"createdAt"`
	UpdatedAt string      `json:"updatedAt"`
	NumSpecs  int         `json:"numSpecs"`
	Specs     []DraftSpec `json:"specs,omitempty"`
}

// LiveSpec is a published spec. Spec is omitted from listings unless asked for.
type LiveSpec struct {
	CatalogName string          `json:"catalogName"`
	SpecType    SpecType        `json:"specType"`
	Spec        json.RawMessage `json:"spec,omitempty"`
	LastPubID   string          `json:"lastPubId"`
	LastPubUser string          `json:"lastPubUser"`
	UpdatedAt   string          `json:"updatedAt"`
}

// HistoryEntry is one publication of one spec; a null Spec records its deletion.
type HistoryEntry struct {
	PubID       string          `json:"pubId"`
	CatalogName string          `json:"catalogName"`
	SpecType    SpecType        `json:"specType"`
	Spec        json.RawMessage `json:"spec"`
	User        string          `json:"user"`
	Detail      string          `json:"detail"`
	PublishedAt string          `json:"publishedAt"`
}

// Publication is the outcome of publishing a draft.
type Publication struct {
	ID          string   `json:"id,omitempty"`
	DraftID     string   `json:"draftId"`
	DryRun      bool     `json:"dryRun"`
	Detail      string   `json:"detail"`
	PublishedAt string   `json:"publishedAt,omitempty"`
	Published   []string `json:"published"`
	Deleted     []string `json:"deleted"`
	// TestsRun is how many catalog tests ran; TestsSkipped says why none could run, when so.
	TestsRun     int    `json:"testsRun"`
	TestsSkipped string `json:"testsSkipped,omitempty"`
}

// Grant gives a user a capability on every name under a prefix.
type Grant struct {
	Prefix     string `json:"prefix"`
	Capability string `json:"capability"`
}

// Me describes the authenticated user.
type Me struct {
	User   string  `json:"user"`
	Grants []Grant `json:"grants"`
}

// Token describes an API token. Secret is set only in the response that creates it.
type Token struct {
	ID        string `json:"id"`
	CreatedAt string `json:"createdAt"`
	RevokedAt string `json:"revokedAt,omitempty"`
	Secret    string `json:"secret,omitempty"`
}

// CreateDraftRequest is the body of POST /api/v1/drafts.
type CreateDraftRequest struct {
	Detail string `json:"detail"`
}

// UpsertSpecsRequest is the body of PUT /api/v1/drafts/{id}/specs.
type UpsertSpecsRequest struct {
	Specs []DraftSpec `json:"specs"`
}

// PublishRequest is the body of POST /api/v1/drafts/{id}/publish.
type PublishRequest struct {
	DryRun bool   `json:"dryRun"`
	Detail string `json:"detail"`
	// RunTests asks for the catalog's tests to run before a real publication (dry runs always run them).
	RunTests bool `json:"runTests"`
}

// ErrorBody is the body of every error response.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail says what went wrong; Details lists build errors, one per problem.
type ErrorDetail struct {
	Code    string       `json:"code"`
	Message string       `json:"message"`
	Details []BuildError `json:"details,omitempty"`
}

// BuildError is one problem of a draft: the spec, where in it (a JSON pointer), and what.
type BuildError struct {
	CatalogName string `json:"catalogName"`
	Pointer     string `json:"pointer"`
	Message     string `json:"message"`
}

// Error codes of ErrorDetail.Code.
const (
	CodeBadRequest    = "bad_request"
	CodeUnauthorized  = "unauthorized"
	CodeForbidden     = "forbidden"
	CodeNotFound      = "not_found"
	CodeConflict      = "conflict"
	CodeTooLarge      = "request_too_large"
	CodeBuildFailed   = "build_failed"
	CodeInternal      = "internal"
	CodeNotAllowed    = "method_not_allowed"
	CodeUnsupportedCT = "unsupported_media_type"
)

// ReadErrorTrailer is the HTTP trailer that carries an error met after documents were streamed: the
// status line was sent by then, so a client must check it once the body ends.
const ReadErrorTrailer = "Flow-Read-Error"
