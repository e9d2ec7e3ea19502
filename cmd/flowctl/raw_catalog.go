package main

import (
	"github.com/spf13/cobra"

	"github.com/flowctl/flowctl/internal/cliutil"
	"github.com/flowctl/flowctl/pkg/catalog"
)

func init() {
	register("raw", newBundleCmd)
	register("raw", newJSONSchemaCmd)
}

type bundleOptions struct{ source string }

func newBundleCmd(f *Factory) *cobra.Command {
	opts := &bundleOptions{}
	cmd := &cobra.Command{
		Use:   "bundle --source FILE|URL",
		Short: "Print a catalog as one self-contained JSON document",
		Long: `Bundle loads a catalog and prints it as one JSON document: the entities of every imported
file merged, configs, lambdas, migrations and fixtures given by file name inlined, and each schema
inlined with the schema files it references. The bundle checks like its source.`,
		Example: "  flowctl raw bundle --source flow.yaml > bundle.json",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cat, err := loadCatalog(cmd, f, opts.source)
			if err != nil {
				return err
			}
			return cliutil.WriteJSON(f.IO.Out, catalog.Bundle(cat))
		},
	}
	cmd.Flags().StringVar(&opts.source, "source", "", "catalog file path or URL (required)")
	_ = cmd.MarkFlagRequired("source")
	return cmd
}

func newJSONSchemaCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "json-schema",
		Short: "Print the JSON Schema of the catalog format",
		Long: `Print the JSON Schema of catalog files, for editor completion and checking. With
yaml-language-server, save it and point a comment at it from the top of a catalog:

  # yaml-language-server: $schema=flow.schema.json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := f.IO.Out.Write(catalog.JSONSchema())
			return err
		},
	}
}
