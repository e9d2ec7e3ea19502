package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/flowctl/flowctl/internal/cliutil"
)

// Factory carries what every command needs. Commands take it at construction and read their
// dependencies from it when they run, never from globals, so tests can run them in-process.
type Factory struct {
	IO     *cliutil.IOStreams
	Config *viper.Viper
	// Logger is set once global flags are parsed, before any command runs.
	Logger *slog.Logger
}

// commandGroup is the parent command path ("" is the root, "raw" is `flowctl raw`).
type commandGroup = string

type registration struct {
	group commandGroup
	build func(*Factory) *cobra.Command
}

// Each command group's file registers its constructors in init, so that groups live in one file each
// and adding a command never means editing a central list.
var registrations []registration

func register(group commandGroup, build func(*Factory) *cobra.Command) {
	registrations = append(registrations, registration{group, build})
}

// groups are commands that only hold subcommands.
var groups = map[string]string{
	"raw":         "Advanced, low-level commands for working with catalogs and documents",
	"collections": "Read and inspect the data of collections",
}

func newRootCmd(f *Factory) *cobra.Command {
	var logLevel, logFormat string
	root := &cobra.Command{
		Use:   "flowctl",
		Short: "Build, test and run real-time data pipelines described as Flow catalogs",
		Long: `flowctl loads and checks Flow catalogs, runs them locally, tests them, and publishes
them to a flowd control plane.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			logger, err := cliutil.NewLogger(f.IO.ErrOut, f.Config.GetString("log.level"),
				f.Config.GetString("log.format"), f.IO.ColorEnabled())
			if err != nil {
				return err
			}
			f.Logger = logger
			return nil
		},
	}
	root.PersistentFlags().StringVar(&logLevel, "log.level", "warn", "log level: debug, info, warn or error")
	root.PersistentFlags().StringVar(&logFormat, "log.format", "color", "log format: json, text or color (colour only on a terminal)")
	_ = f.Config.BindPFlag("log.level", root.PersistentFlags().Lookup("log.level"))
	_ = f.Config.BindPFlag("log.format", root.PersistentFlags().Lookup("log.format"))
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &cliutil.UsageError{Err: err} })

	byPath := map[string]*cobra.Command{"": root}
	names := make([]string, 0, len(groups))
	for name := range groups {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		g := &cobra.Command{Use: name, Short: groups[name], Args: unknownSubcommand}
		g.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
		root.AddCommand(g)
		byPath[name] = g
	}
	for _, r := range registrations {
		parent, ok := byPath[r.group]
		if !ok {
			panic(fmt.Sprintf("command group %q is not declared", r.group))
		}
		parent.AddCommand(r.build(f))
	}
	return root
}

// noArgs rejects positional arguments as a usage error (exit 2).
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return cliutil.Usagef("%s takes no arguments, but got %q", cmd.CommandPath(), strings.Join(args, " "))
	}
	return nil
}

// unknownSubcommand rejects a group's positional arguments (exit 2), naming the group's commands,
// since only a misspelt or missing subcommand reaches the group itself.
func unknownSubcommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	var names []string
	for _, c := range cmd.Commands() {
		if c.IsAvailableCommand() {
			names = append(names, c.Name())
		}
	}
	return cliutil.Usagef("unknown command %q for %q; its commands are %s", args[0], cmd.CommandPath(), strings.Join(names, ", "))
}

// newConfig reads the optional config file under the user's config directory and FLOWCTL_* variables.
// Flags win over the environment, which wins over the file.
func newConfig() (*viper.Viper, error) {
	v := viper.New()
	v.SetEnvPrefix("FLOWCTL")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_", "-", "_"))
	v.AutomaticEnv()
	dir, err := configDir()
	if err != nil {
		return v, nil // No home directory: run with flags and environment only.
	}
	v.SetConfigFile(filepath.Join(dir, "config.yaml"))
	if err := v.ReadInConfig(); err != nil {
		var notFound viper.ConfigFileNotFoundError
		if errors.As(err, &notFound) || errors.Is(err, os.ErrNotExist) {
			return v, nil
		}
		return nil, fmt.Errorf("reading config file %s: %w (fix or remove it)", v.ConfigFileUsed(), err)
	}
	return v, nil
}

// configDir is flowctl's directory under the user's config directory (~/.config/flowctl on Linux).
// FLOWCTL_CONFIG_DIR overrides it, which keeps tests away from the real home directory.
func configDir() (string, error) {
	if d := os.Getenv("FLOWCTL_CONFIG_DIR"); d != "" {
		return d, nil
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(base, "flowctl"), nil
}

// bindFlags lets every flag of cmd be set from the config file or FLOWCTL_<FLAG> variables.
func bindFlags(v *viper.Viper, cmd *cobra.Command) {
	cmd.Flags().VisitAll(func(fl *pflag.Flag) {
		if fl.Changed || !v.IsSet(fl.Name) {
			return
		}
		_ = cmd.Flags().Set(fl.Name, v.GetString(fl.Name))
	})
}

func flowctlMain() int {
	io := cliutil.System()
	cfg, err := newConfig()
	if err != nil {
		fmt.Fprintln(io.ErrOut, "error:", err)
		return cliutil.ExitUsage
	}
	f := &Factory{IO: io, Config: cfg}
	root := newRootCmd(f)
	root.PersistentPreRunE = chainPreRun(root.PersistentPreRunE, func(cmd *cobra.Command) { bindFlags(cfg, cmd) })
	return execute(root, io)
}

func chainPreRun(next func(*cobra.Command, []string) error, first func(*cobra.Command)) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		first(cmd)
		return next(cmd, args)
	}
}

// execute runs the command tree and turns its error into a message and an exit code.
func execute(root *cobra.Command, io *cliutil.IOStreams) int {
	cmd, err := root.ExecuteC()
	if err == nil {
		return cliutil.ExitOK
	}
	var silent *cliutil.SilentError
	if !errors.As(err, &silent) {
		fmt.Fprintln(io.ErrOut, "error:", err)
	}
	if unreachable(err) {
		fmt.Fprintln(io.ErrOut, "  hint: nothing answers at that address: start the server there, or change the address with `flowctl auth login --url URL --token TOKEN` or FLOW_API_URL")
	}
	var usage *cliutil.UsageError
	if errors.As(err, &usage) || isCobraUsageError(err) {
		fmt.Fprintf(io.ErrOut, "Run '%s --help' for usage.\n", cmd.CommandPath())
		return cliutil.ExitUsage
	}
	return cliutil.ExitCode(err)
}

// unreachable reports an HTTP request that found no server to connect to.
func unreachable(err error) bool {
	var urlErr *url.Error
	var opErr *net.OpError
	return errors.As(err, &urlErr) && errors.As(err, &opErr) && opErr.Op == "dial"
}

// Cobra reports unknown commands and argument-count problems as plain errors.
func isCobraUsageError(err error) bool {
	msg := err.Error()
	return strings.HasPrefix(msg, "unknown command") || strings.HasPrefix(msg, "accepts ") ||
		strings.HasPrefix(msg, "requires ") || strings.Contains(msg, "required flag")
}
