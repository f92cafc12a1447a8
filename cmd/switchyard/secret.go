package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"switchyard/core/admin"
)

// maxSecret bounds a secret read from standard input.
const maxSecret = 64 << 10

func integrationSecretCmd(e *env) *cobra.Command {
	var del bool
	c := leaf("secret NAME KEY", "Store a secret setting, read from standard input, sealed in the workspace", func(ctx context.Context, args []string) error {
		return e.withWorkspace(ctx, func() error { return e.integrationSecret(ctx, args[0], args[1], del) })
	})
	c.Long = "Store the secret setting KEY of the integration NAME, read from standard input (one trailing newline dropped),\n" +
		"sealed in the workspace. The value is never printed. An integration imported without its secrets is completed\n" +
		"once the system can be read."
	c.Flags().BoolVar(&del, "delete", false, "delete the stored secret instead of reading a new one")
	return c
}

// integrationSecret is `switchyard integration secret NAME KEY [--delete]`.
func (e *env) integrationSecret(ctx context.Context, name, key string, del bool) error {
	in, err := e.svc.Store.Integration(ctx, name)
	if err != nil {
		return err
	}
	info, err := e.svc.Registry.Lookup(in.Connector)
	if err != nil {
		return &admin.ConfigError{Err: fmt.Errorf("integration %q: %w", name, err)}
	}
	var secrets []string
	for _, o := range info.Options {
		if o.Secret() {
			secrets = append(secrets, o.Key)
		}
	}
	if o, ok := info.Options.Get(key); !ok || !o.Secret() {
		what := "not a setting of"
		if ok {
			what = "a setting, not a secret, of"
		}
		return &admin.ConfigError{Err: fmt.Errorf("secret %q: it is %s the %s connector: use one of %s",
			key, what, in.Connector, strings.Join(secrets, ", "))}
	}
	value := ""
	if !del {
		if value, err = readSecret(e); err != nil {
			return err
		}
	}
	if err := e.svc.Store.SetSecret(ctx, name, key, value); err != nil {
		return err
	}
	if del {
		fmt.Fprintf(e.stdout, "secret %s of integration %q deleted\n", key, name)
		return nil
	}
	fmt.Fprintf(e.stdout, "secret %s of integration %q set (sealed in the workspace)\n", key, name)
	// An integration imported without its secrets is completed now that the system can be read.
	res, ran, err := e.svc.CompleteImport(ctx, name)
	if !ran {
		if len(res.MissingSecrets) > 0 {
			fmt.Fprintf(e.stdout, "integration %q still needs: %s\n", name, strings.Join(res.MissingSecrets, ", "))
		}
		return err
	}
	if err != nil {
		return fmt.Errorf("%w: the secret is kept; check it (and the other settings) and give it again", err)
	}
	fmt.Fprintf(e.stdout, "integration %q completed: its mapping was checked against the external system\n", name)
	for _, n := range res.CreatedEntities {
		fmt.Fprintf(e.stdout, "created local entity %s\n", n)
	}
	for _, f := range res.AddedFields {
		fmt.Fprintf(e.stdout, "added local field %s\n", f)
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(e.stderr, "warning: %s\n", w)
	}
	return nil
}

// readSecret reads one secret from standard input, dropping one trailing
// newline; an empty value is refused (use --delete).
func readSecret(e *env) (string, error) {
	if f, ok := e.stdin.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			fmt.Fprintln(e.stderr, "type the secret, then Enter and Ctrl-D (it is shown as you type; pipe it in to avoid that)")
		}
	}
	data, err := io.ReadAll(io.LimitReader(e.stdin, maxSecret+1))
	if err != nil {
		return "", fmt.Errorf("read the secret from standard input: %w", err)
	}
	if len(data) > maxSecret {
		return "", &admin.ConfigError{Err: errors.New("read the secret from standard input: it is longer than 64 KiB")}
	}
	value := strings.TrimSuffix(strings.TrimSuffix(string(data), "\n"), "\r")
	if value == "" {
		return "", &admin.ConfigError{Err: errors.New("no secret on standard input: pipe it in, e.g. printf '%s' \"$PASSWORD\" | switchyard integration secret NAME KEY (or use --delete)")}
	}
	return value, nil
}
