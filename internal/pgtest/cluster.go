// Package pgtest starts throwaway PostgreSQL clusters for tests: initdb into a temporary directory, a free
// loopback port, logical replication enabled, a password-protected superuser, and removal when done.
package pgtest

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
)

// Superuser credentials of every cluster. Host connections require the password (scram-sha-256), so
// connectors exercise real password authentication.
const (
	SuperUser     = "postgres"
	SuperPassword = "pgtest-secret"
)

// serverSettings tune the cluster for tests: logical replication on, durability off (the data is
// thrown away), and only TCP on loopback so that clusters never collide on a socket path.
var serverSettings = []string{
	"listen_addresses = '127.0.0.1'",
	"unix_socket_directories = ''",
	"wal_level = logical",
	"max_replication_slots = 32",
	"max_wal_senders = 32",
	"max_connections = 200",
	"fsync = off",
	"synchronous_commit = off",
	"full_page_writes = off",
	"log_min_messages = warning",
}

// Cluster is a running throwaway PostgreSQL cluster.
type Cluster struct {
	Host string // always 127.0.0.1
	Port int

	root     string // temporary directory holding data/ and log/
	binDir   string
	osUser   *user.User // the owner of the data directory when started by root, else nil
	stopping bool
}

// StartCluster initialises and starts a new cluster. Most tests want Start or Shared instead.
func StartCluster() (*Cluster, error) {
	binDir, err := findBinDir()
	if err != nil {
		return nil, err
	}
	c := &Cluster{Host: "127.0.0.1", binDir: binDir}
	if os.Geteuid() == 0 {
		// initdb refuses to run as root: the cluster belongs to the postgres account.
		if c.osUser, err = user.Lookup("postgres"); err != nil {
			return nil, fmt.Errorf("running as root, PostgreSQL needs an unprivileged owner but user %q is missing (%v): create it or run tests as another user", "postgres", err)
		}
	}
	if err := c.initialise(); err != nil {
		c.removeFiles()
		return nil, err
	}
	// A port found free can be taken before the server binds it; a few attempts make that harmless.
	for attempt := 0; ; attempt++ {
		if err = c.start(); err == nil {
			return c, nil
		}
		if attempt == 2 {
			c.removeFiles()
			return nil, err
		}
	}
}

// URL returns a connection URL of the superuser for database.
func (c *Cluster) URL(database string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(SuperUser, SuperPassword),
		Host:     net.JoinHostPort(c.Host, strconv.Itoa(c.Port)),
		Path:     "/" + database,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// Address returns host:port, the form Estuary's connector configs take.
func (c *Cluster) Address() string { return net.JoinHostPort(c.Host, strconv.Itoa(c.Port)) }

// Stop shuts the server down immediately and removes its files. It is safe to call twice.
func (c *Cluster) Stop() error {
	if c.stopping {
		return nil
	}
	c.stopping = true
	_, err := c.run(filepath.Join(c.binDir, "pg_ctl"), "stop", "-D", c.dataDir(), "-m", "immediate", "-w")
	c.removeFiles()
	return err
}

func (c *Cluster) dataDir() string { return filepath.Join(c.root, "data") }
func (c *Cluster) logDir() string  { return filepath.Join(c.root, "log") }
func (c *Cluster) logFile() string { return filepath.Join(c.logDir(), "server.log") }

func (c *Cluster) initialise() error {
	root, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return fmt.Errorf("creating a directory for the test cluster: %w", err)
	}
	c.root = root
	pwFile := filepath.Join(root, "password")
	if err := os.WriteFile(pwFile, []byte(SuperPassword+"\n"), 0o600); err != nil {
		return err
	}
	if err := os.Mkdir(c.dataDir(), 0o700); err != nil {
		return err
	}
	if err := os.Mkdir(c.logDir(), 0o700); err != nil {
		return err
	}
	if c.osUser != nil {
		// The server account must reach into root's temporary directory and own what it writes.
		if err := os.Chmod(root, 0o711); err != nil {
			return err
		}
		for _, path := range []string{pwFile, c.dataDir(), c.logDir()} {
			if err := c.chown(path); err != nil {
				return err
			}
		}
	}
	out, err := c.run(filepath.Join(c.binDir, "initdb"),
		"-D", c.dataDir(), "-U", SuperUser, "--pwfile", pwFile,
		"--auth-local=trust", "--auth-host=scram-sha-256",
		"--encoding=UTF8", "--locale=C", "--no-sync")
	if err != nil {
		return fmt.Errorf("initdb failed: %v\n%s", err, out)
	}
	conf, err := os.OpenFile(filepath.Join(c.dataDir(), "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = conf.WriteString("\n# pgtest\n" + strings.Join(serverSettings, "\n") + "\n")
	if closeErr := conf.Close(); err == nil {
		err = closeErr
	}
	return err
}

func (c *Cluster) start() error {
	port, err := freePort()
	if err != nil {
		return err
	}
	c.Port = port
	logFile := c.logFile()
	out, err := c.run(filepath.Join(c.binDir, "pg_ctl"), "start", "-w", "-t", "60",
		"-D", c.dataDir(), "-l", logFile, "-o", "-p "+strconv.Itoa(port))
	if err != nil {
		serverLog, _ := os.ReadFile(logFile)
		return fmt.Errorf("starting PostgreSQL on port %d failed: %v\n%s\nserver log:\n%s", port, err, out, tail(serverLog, 2000))
	}
	return nil
}

// run executes a server binary, as the postgres account when the tests run as root.
func (c *Cluster) run(binary string, args ...string) ([]byte, error) {
	var cmd *exec.Cmd
	if c.osUser != nil {
		cmd = exec.Command("runuser", append([]string{"-u", c.osUser.Username, "--", binary}, args...)...)
	} else {
		cmd = exec.Command(binary, args...)
	}
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	cmd.Dir = c.root
	return cmd.CombinedOutput()
}

func (c *Cluster) chown(path string) error {
	uid, _ := strconv.Atoi(c.osUser.Uid)
	gid, _ := strconv.Atoi(c.osUser.Gid)
	return os.Chown(path, uid, gid)
}

func (c *Cluster) removeFiles() {
	if c.root != "" {
		_ = os.RemoveAll(c.root)
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free loopback port: %w", err)
	}
	defer l.Close()
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return 0, errors.New("loopback listener has no TCP address")
	}
	return addr.Port, nil
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
