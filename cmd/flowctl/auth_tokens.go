package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/flowctl/flowctl/internal/cliutil"
)

// newTokensCmd is `flowctl auth tokens list`: the user's API tokens, without their secrets.
func newTokensCmd(f *Factory, cp *controlPlaneFlags) *cobra.Command {
	tokens := &cobra.Command{Use: "tokens", Short: "Manage your API tokens", Args: unknownSubcommand,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() }}
	var output listOutput
	list := &cobra.Command{
		Use:   "list",
		Short: "List your API tokens: id, when created and when revoked (secrets are never shown again)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := output.check(); err != nil {
				return err
			}
			cl, _, err := cp.client()
			if err != nil {
				return err
			}
			toks, err := cl.ListTokens(cmd.Context())
			if err != nil {
				return err
			}
			return output.write(f, toks, []string{"id", "created", "revoked"}, func(t *cliutil.Table) {
				for _, tok := range toks {
					t.Row(tok.ID, tok.CreatedAt, tok.RevokedAt)
				}
			})
		},
	}
	output.register(list)
	tokens.AddCommand(list)
	return tokens
}

// newTokenRevokeCmd is `flowctl auth token revoke ID`: the token stops working at once.
func newTokenRevokeCmd(f *Factory, cp *controlPlaneFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke one of your API tokens (list them with `flowctl auth tokens list`)",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return cliutil.Usagef("revoke takes one token id, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			cl, _, err := cp.client()
			if err != nil {
				return err
			}
			if err := cl.RevokeToken(cmd.Context(), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(f.IO.ErrOut, "Revoked token %s.\n", args[0])
			return nil
		},
	}
}
