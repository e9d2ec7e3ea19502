package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/flowctl/flowctl/internal/cliutil"
	"github.com/flowctl/flowctl/pkg/draft"
)

func init() {
	register("", newAuthCmd)
	register("", newDraftCmd)
	register("", newCatalogCmd)
}

// controlPlaneFlags are shared by the auth, draft and catalog groups: which profile holds the API
// address, token and selected draft.
type controlPlaneFlags struct {
	profile string
}

func (c *controlPlaneFlags) register(cmd *cobra.Command) {
	cmd.PersistentFlags().StringVar(&c.profile, "profile", "default", "configuration profile (a file <config dir>/<profile>.json; env FLOWCTL_PROFILE)")
}

// load reads the profile, without the environment overrides.
func (c *controlPlaneFlags) load() (draft.Profile, string, error) {
	dir, err := configDir()
	if err != nil {
		return draft.Profile{}, "", fmt.Errorf("finding the config directory: %w (set FLOWCTL_CONFIG_DIR)", err)
	}
	p, err := draft.LoadProfile(dir, c.profile)
	if err != nil {
		return p, dir, cliutil.Usagef("%v", err)
	}
	return p, dir, nil
}

// save writes the profile back.
func (c *controlPlaneFlags) save(dir string, p draft.Profile) error {
	if err := draft.SaveProfile(dir, c.profile, p); err != nil {
		return fmt.Errorf("saving profile %s: %w", c.profile, err)
	}
	return nil
}

// client returns an API client from the profile with FLOW_API_URL and FLOW_AUTH_TOKEN applied.
func (c *controlPlaneFlags) client() (*draft.Client, draft.Profile, error) {
	p, _, err := c.load()
	if err != nil {
		return nil, p, err
	}
	cl, err := draft.NewClient(p.WithEnv(os.Getenv))
	if err != nil {
		return nil, p, cliutil.Usagef("%v", err)
	}
	return cl, p, nil
}

// apiError maps a control plane refusal of the user's content (a build error, a lost race on
// expectPubId) to exit 1, and anything else (no access, bad address) to exit 2.
func apiError(err error) error {
	var e *draft.APIError
	if errors.As(err, &e) && (e.Code == "build_failed" || e.Code == "conflict") {
		return cliutil.Failure(err)
	}
	return err
}

func newAuthCmd(f *Factory) *cobra.Command {
	var cp controlPlaneFlags
	cmd := &cobra.Command{Use: "auth", Short: "Log in to a flowd control plane and show who you are", Args: unknownSubcommand,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() }}
	cp.register(cmd)

	var url, token string
	login := &cobra.Command{
		Use:   "login --token TOKEN [--url URL]",
		Short: "Check a token against the control plane and store it with the address in the profile",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, dir, err := cp.load()
			if err != nil {
				return err
			}
			if url != "" {
				p.APIURL = url
			}
			p.Token = token
			cl, err := draft.NewClient(p)
			if err != nil {
				return cliutil.Usagef("%v", err)
			}
			me, err := cl.Me(cmd.Context())
			if err != nil {
				return err
			}
			if err := cp.save(dir, p); err != nil {
				return err
			}
			fmt.Fprintf(f.IO.ErrOut, "Logged in to %s as %s (profile %s).\n", p.APIURL, me.User, cp.profile)
			return nil
		},
	}
	login.Flags().StringVar(&url, "url", "", "the control plane's address, like http://127.0.0.1:8080")
	login.Flags().StringVar(&token, "token", "", "an API token (flowd admin create-user prints one)")
	_ = login.MarkFlagRequired("token")

	var onlyToken string
	tokenCmd := &cobra.Command{
		Use:   "token --token TOKEN",
		Short: "Store an API token in the profile without checking it",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, dir, err := cp.load()
			if err != nil {
				return err
			}
			p.Token = onlyToken
			if err := cp.save(dir, p); err != nil {
				return err
			}
			fmt.Fprintf(f.IO.ErrOut, "Stored the token in profile %s.\n", cp.profile)
			return nil
		},
	}
	tokenCmd.Flags().StringVar(&onlyToken, "token", "", "an API token")
	_ = tokenCmd.MarkFlagRequired("token")

	status := &cobra.Command{
		Use:   "status",
		Short: "Show the control plane address, the user and its grants",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cl, p, err := cp.client()
			if err != nil {
				return err
			}
			me, err := cl.Me(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(f.IO.Out, "profile: %s\napi: %s\nuser: %s\n", cp.profile, cl.BaseURL, me.User)
			if p.Draft != "" {
				fmt.Fprintf(f.IO.Out, "selected draft: %s\n", p.Draft)
			}
			for _, g := range me.Grants {
				fmt.Fprintf(f.IO.Out, "grant: %s %s\n", g.Capability, displayPrefix(g.Prefix))
			}
			return nil
		},
	}
	tokenCmd.AddCommand(newTokenRevokeCmd(f, &cp))
	cmd.AddCommand(login, tokenCmd, status, newTokensCmd(f, &cp))
	return cmd
}

func displayPrefix(p string) string {
	if p == "" {
		return "(every name)"
	}
	return p
}

// confirm asks a yes/no question on the terminal. Without a terminal it refuses (exit 2), so a CI job
// never hangs or publishes by accident: it must pass the approval flag.
func confirm(ctx context.Context, f *Factory, question, flag string, answer string) error {
	in, ok := f.IO.In.(*os.File)
	if !ok || !(isatty.IsTerminal(in.Fd()) || isatty.IsCygwinTerminal(in.Fd())) {
		return cliutil.Usagef("not asking for confirmation: standard input is not a terminal; pass %s to proceed without asking", flag)
	}
	fmt.Fprintf(f.IO.ErrOut, "%s Type %q to continue: ", question, answer)
	line := make(chan string, 1)
	go func() {
		var s string
		_, _ = fmt.Fscanln(in, &s)
		line <- s
	}()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case s := <-line:
		if s != answer {
			fmt.Fprintln(f.IO.ErrOut, "Not confirmed: nothing was changed.")
			return &cliutil.SilentError{Code: cliutil.ExitFailure}
		}
	}
	return nil
}
