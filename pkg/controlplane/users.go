package controlplane

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/flowctl/flowctl/pkg/controlplane/api"
)

// tokenPrefix marks flowd tokens so that secret scanners and people can recognise them.
const tokenPrefix = "flowd_"

// CreateUser creates a user with grants and returns its first API token, which is shown only once.
func (s *Store) CreateUser(ctx context.Context, name string, grants []api.Grant) (api.Token, error) {
	if err := validateUserName(name); err != nil {
		return api.Token{}, err
	}
	for _, g := range grants {
		if err := api.ValidatePrefix(g.Prefix); err != nil {
			return api.Token{}, err
		}
		if _, err := ParseCapability(g.Capability); err != nil {
			return api.Token{}, err
		}
	}
	var tok api.Token
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var exists int
		if err := s.queryRow(ctx, tx, `SELECT COUNT(*) FROM users WHERE name = ?`, name).Scan(&exists); err != nil {
			return err
		}
		if exists > 0 {
			return fmt.Errorf("user %q already exists", name)
		}
		if _, err := s.exec(ctx, tx, `INSERT INTO users (name, created_at) VALUES (?, ?)`, name, now()); err != nil {
			return err
		}
		if err := s.upsertGrants(ctx, tx, name, grants); err != nil {
			return err
		}
		var err error
		tok, err = s.insertToken(ctx, tx, name)
		return err
	})
	return tok, err
}

// Grant gives an existing user grants, replacing the capability of a prefix it already has.
func (s *Store) Grant(ctx context.Context, user string, grants []api.Grant) error {
	for _, g := range grants {
		if err := api.ValidatePrefix(g.Prefix); err != nil {
			return err
		}
		if _, err := ParseCapability(g.Capability); err != nil {
			return err
		}
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var exists int
		if err := s.queryRow(ctx, tx, `SELECT COUNT(*) FROM users WHERE name = ?`, user).Scan(&exists); err != nil {
			return err
		}
		if exists == 0 {
			return fmt.Errorf("there is no user %q: create it with `flowd admin create-user`", user)
		}
		return s.upsertGrants(ctx, tx, user, grants)
	})
}

func (s *Store) upsertGrants(ctx context.Context, tx *sql.Tx, user string, grants []api.Grant) error {
	at := now()
	for _, g := range grants {
		if _, err := s.exec(ctx, tx, `INSERT INTO user_grants (user_name, prefix, capability, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (user_name, prefix) DO UPDATE SET capability = excluded.capability`,
			user, g.Prefix, g.Capability, at); err != nil {
			return err
		}
	}
	return nil
}

func validateUserName(name string) error {
	if name == "" || len(name) > 128 {
		return fmt.Errorf("a user name must be 1 to 128 characters long")
	}
	for _, r := range name {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' || r == '@'
		if !ok {
			return fmt.Errorf("user name %q may only hold letters, digits, '-', '_', '.' and '@'", name)
		}
	}
	return nil
}

// CreateToken issues another API token for an existing user.
func (s *Store) CreateToken(ctx context.Context, user string) (api.Token, error) {
	var tok api.Token
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		tok, err = s.insertToken(ctx, tx, user)
		return err
	})
	return tok, err
}

func (s *Store) insertToken(ctx context.Context, tx *sql.Tx, user string) (api.Token, error) {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return api.Token{}, err
	}
	tok := api.Token{ID: randomID(), CreatedAt: now(), Secret: tokenPrefix + hex.EncodeToString(secret)}
	_, err := s.exec(ctx, tx, `INSERT INTO api_tokens (id, token_hash, user_name, created_at) VALUES (?, ?, ?, ?)`,
		tok.ID, hashToken(tok.Secret), user, tok.CreatedAt)
	return tok, err
}

// hashToken is what is stored of a token: its SHA-256. Tokens carry 256 random bits, so a plain hash
// is enough (no salt or slow hash is needed against guessing).
func hashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// ErrUnauthenticated is returned for a missing, unknown or revoked token.
var ErrUnauthenticated = errors.New("the API token is missing, unknown or revoked: log in with `flowctl auth token --token ...`")

// Authenticate finds the user of a live token and loads its grants.
func (s *Store) Authenticate(ctx context.Context, secret string) (*Principal, error) {
	if secret == "" {
		return nil, ErrUnauthenticated
	}
	var user string
	err := s.queryRow(ctx, s.db, `SELECT user_name FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL`,
		hashToken(secret)).Scan(&user)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrUnauthenticated
	} else if err != nil {
		return nil, err
	}
	grants, err := s.grantsOf(ctx, user)
	if err != nil {
		return nil, err
	}
	return &Principal{User: user, Grants: grants}, nil
}

func (s *Store) grantsOf(ctx context.Context, user string) ([]api.Grant, error) {
	rows, err := s.query(ctx, s.db, `SELECT prefix, capability FROM user_grants WHERE user_name = ? ORDER BY prefix`, user)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	grants := []api.Grant{}
	for rows.Next() {
		var g api.Grant
		if err := rows.Scan(&g.Prefix, &g.Capability); err != nil {
			return nil, err
		}
		grants = append(grants, g)
	}
	return grants, rows.Err()
}

// ListTokens lists a user's tokens, without secrets.
func (s *Store) ListTokens(ctx context.Context, user string) ([]api.Token, error) {
	rows, err := s.query(ctx, s.db, `SELECT id, created_at, revoked_at FROM api_tokens WHERE user_name = ? ORDER BY created_at, id`, user)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	toks := []api.Token{}
	for rows.Next() {
		var t api.Token
		var revoked sql.NullString
		if err := rows.Scan(&t.ID, &t.CreatedAt, &revoked); err != nil {
			return nil, err
		}
		t.RevokedAt = revoked.String
		toks = append(toks, t)
	}
	return toks, rows.Err()
}

// RevokeToken revokes one of the user's tokens. Revoking another user's token reports not found.
func (s *Store) RevokeToken(ctx context.Context, user, id string) error {
	res, err := s.exec(ctx, s.db, `UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_name = ? AND revoked_at IS NULL`,
		now(), id, user)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFoundf("no live token %q of yours", id)
	}
	return nil
}

// randomID is a 16-hex-digit identifier for drafts and tokens.
func randomID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms.
	return hex.EncodeToString(b)
}
