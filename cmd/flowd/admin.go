package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/flowctl/flowctl/internal/cliutil"
	"github.com/flowctl/flowctl/pkg/controlplane"
	"github.com/flowctl/flowctl/pkg/controlplane/api"
)

func newAdminCmd(io *cliutil.IOStreams) *cobra.Command {
	admin := &cobra.Command{Use: "admin", Short: "Administer users and tokens directly in the database"}
	admin.AddCommand(newCreateUserCmd(io), newGrantCmd(io))
	return admin
}

func newGrantCmd(io *cliutil.IOStreams) *cobra.Command {
	var database string
	var grants []string
	cmd := &cobra.Command{
		Use:   "grant USER --database URL --grant PREFIX=admin|write|read ...",
		Short: "Give an existing user more grants, or change the capability of a prefix it has",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return cliutil.Usagef("grant takes one user name, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			parsed, err := parseGrants(grants)
			if err != nil {
				return err
			}
			if database == "" || len(parsed) == 0 {
				return cliutil.Usagef("--database and at least one --grant are required")
			}
			store, err := controlplane.OpenStore(cmd.Context(), database)
			if err != nil {
				return err
			}
			defer store.Close()
			if err := store.Grant(cmd.Context(), args[0], parsed); err != nil {
				return err
			}
			fmt.Fprintf(io.ErrOut, "granted %d prefix(es) to %s\n", len(parsed), args[0])
			return nil
		},
	}
	cmd.Flags().StringVar(&database, "database", "", "SQLite file path or postgres:// URL")
	cmd.Flags().StringArrayVar(&grants, "grant", nil, "PREFIX=CAPABILITY, e.g. acmeCo/=admin (repeatable)")
	return cmd
}

func newCreateUserCmd(io *cliutil.IOStreams) *cobra.Command {
	var database string
	var grants []string
	cmd := &cobra.Command{
		Use:   "create-user NAME --database URL --grant PREFIX=admin|write|read ...",
		Short: "Create a user with grants and print its first API token",
		Long: `Create a user with grants on catalog prefixes and print its first API token as the last
line of stdout. The token is shown only this once: only its hash is stored.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return cliutil.Usagef("create-user takes one user name, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if database == "" {
				return cliutil.Usagef("--database is required (a SQLite file path or a postgres:// URL)")
			}
			parsed, err := parseGrants(grants)
			if err != nil {
				return err
			}
			store, err := controlplane.OpenStore(cmd.Context(), database)
			if err != nil {
				return err
			}
			defer store.Close()
			tok, err := store.CreateUser(cmd.Context(), args[0], parsed)
			if err != nil {
				return err
			}
			fmt.Fprintf(io.ErrOut, "created user %s with %d grant(s); its token follows and is not shown again\n", args[0], len(parsed))
			_, err = fmt.Fprintln(io.Out, tok.Secret)
			return err
		},
	}
	cmd.Flags().StringVar(&database, "database", "", "SQLite file path or postgres:// URL")
	cmd.Flags().StringArrayVar(&grants, "grant", nil, "PREFIX=CAPABILITY, e.g. acmeCo/=admin (repeatable)")
	return cmd
}

// parseGrants reads PREFIX=CAPABILITY flags.
func parseGrants(flags []string) ([]api.Grant, error) {
	var out []api.Grant
	for _, f := range flags {
		prefix, capability, ok := strings.Cut(f, "=")
		if !ok {
			return nil, cliutil.Usagef("--grant %q must be PREFIX=admin|write|read", f)
		}
		if err := api.ValidatePrefix(prefix); err != nil {
			return nil, cliutil.Usagef("--grant %q: %v", f, err)
		}
		if _, err := controlplane.ParseCapability(capability); err != nil {
			return nil, cliutil.Usagef("--grant %q: %v", f, err)
		}
		out = append(out, api.Grant{Prefix: prefix, Capability: capability})
	}
	return out, nil
}
