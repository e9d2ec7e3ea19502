package connector

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// DefaultGracePeriod is how long a connector gets to exit after its input closes, and again after
// SIGTERM, before it is killed.
const DefaultGracePeriod = 5 * time.Second

// process is a connector running as a child process, speaking JSON lines on stdin and stdout and
// logging on stderr. It runs in its own process group so that stopping it stops its children too.
type process[Req, Resp any] struct {
	name  string // "task X (local command /bin/y)"
	cmd   *exec.Cmd
	grace time.Duration

	stdin  *os.File
	enc    *Encoder
	stdout *os.File
	dec    *Decoder
	logs   *stderrLogger

	sendMu    sync.Mutex
	closeOnce sync.Once
	exited    chan struct{} // closed when the process exited
	exitErr   error         // the result of Wait, read after exited
	stopped   chan struct{} // closed when we decided to stop the process (context or Close)
	stopOnce  sync.Once
	ctxErr    error
}

// startProcess starts argv with env added to this process's environment.
func startProcess[Req, Resp any](ctx context.Context, name string, argv []string, env []string,
	logger *slog.Logger, grace time.Duration) (*process[Req, Resp], error) {
	if len(argv) == 0 || argv[0] == "" {
		return nil, fmt.Errorf("%s: the local endpoint has an empty command; give the connector program and its arguments", name)
	}
	if grace <= 0 {
		grace = DefaultGracePeriod
	}
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		closeAll(inR, inW)
		return nil, err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		closeAll(inR, inW, outR, outW)
		return nil, err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, errW
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		closeAll(inR, inW, outR, outW, errR, errW)
		return nil, fmt.Errorf("%s: could not start the connector: %w; check that the command exists and is executable", name, err)
	}
	closeAll(inR, outW, errW) // the child holds its own copies

	p := &process[Req, Resp]{
		name: name, cmd: cmd, grace: grace,
		stdin: inW, enc: NewEncoder(inW),
		stdout: outR, dec: NewDecoder(outR),
		logs:    newStderrLogger(errR, logger),
		exited:  make(chan struct{}),
		stopped: make(chan struct{}),
	}
	go func() {
		p.exitErr = cmd.Wait()
		close(p.exited)
	}()
	go func() {
		select {
		case <-ctx.Done():
			p.ctxErr = ctx.Err()
			p.stop()
		case <-p.exited:
		}
	}()
	return p, nil
}

func closeAll(files ...*os.File) {
	for _, f := range files {
		_ = f.Close()
	}
}

// batchable is implemented by requests that need no prompt delivery (loads and stores), which the
// process stream buffers until the next request that expects an answer.
type batchable interface{ batchable() bool }

func (m *MaterializeRequest) batchable() bool { return m.Load != nil || m.Store != nil }

func (p *process[Req, Resp]) Send(m *Req) error {
	p.sendMu.Lock()
	defer p.sendMu.Unlock()
	err := p.enc.Encode(m)
	if b, ok := any(m).(batchable); err == nil && !(ok && b.batchable()) {
		err = p.enc.Flush()
	}
	if err != nil {
		return p.failure(fmt.Errorf("could not write to the connector: %w", err))
	}
	return nil
}

func (p *process[Req, Resp]) Recv() (*Resp, error) {
	m := new(Resp)
	err := p.dec.Decode(m)
	if err == nil {
		return m, nil
	}
	var malformed *MalformedError
	if errors.As(err, &malformed) && !errors.Is(err, io.ErrUnexpectedEOF) {
		p.stop()
		return nil, fmt.Errorf("%s: connector wrote %w", p.name, err)
	}
	// End of output: the connector exited, or was stopped.
	if fail := p.failure(nil); fail != nil {
		return nil, fail
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, fmt.Errorf("%s: connector output ended within a message: %w", p.name, err)
	}
	return nil, io.EOF
}

// failure waits briefly for the process to exit and explains why it ended: a stopped context, a
// non-zero exit with its last log line, or cause when it is still running or exited cleanly.
func (p *process[Req, Resp]) failure(cause error) error {
	select {
	case <-p.exited:
	case <-time.After(p.grace):
		if cause == nil {
			return nil
		}
		return fmt.Errorf("%s: %w", p.name, cause)
	}
	p.logs.wait()
	select {
	case <-p.stopped:
		if p.ctxErr != nil {
			return fmt.Errorf("%s: connector stopped: %w", p.name, p.ctxErr)
		}
	default:
	}
	if p.exitErr != nil {
		if last := p.logs.last(); last != "" {
			return fmt.Errorf("%s: connector failed (%v): %s", p.name, p.exitErr, last)
		}
		return fmt.Errorf("%s: connector failed (%v) without logging a reason", p.name, p.exitErr)
	}
	if cause != nil {
		return fmt.Errorf("%s: connector exited early: %w: %w", p.name, errExitedCleanly, cause)
	}
	return nil
}

// errExitedCleanly marks a request that could not be written because the connector had already
// exited with status 0. Whether the write or the exit comes first is a race, so callers treat it
// as the end of the connector's output, as they treat an EOF from Recv.
var errExitedCleanly = errors.New("it exited with status 0")

func (p *process[Req, Resp]) CloseSend() error {
	var err error
	p.closeOnce.Do(func() {
		p.sendMu.Lock()
		defer p.sendMu.Unlock()
		err = p.enc.Flush()
		if cerr := p.stdin.Close(); err == nil {
			err = cerr
		}
	})
	if err != nil && !errors.Is(err, syscall.EPIPE) {
		return fmt.Errorf("%s: closing the connector's input: %w", p.name, err)
	}
	return nil
}

// Close closes the connector's input, gives it the grace period to exit, then terminates its
// process group. It returns the connector's failure if it exited non-zero by itself.
func (p *process[Req, Resp]) Close() error {
	_ = p.CloseSend()
	var selfExit bool
	select {
	case <-p.exited:
		selfExit = true
	case <-p.stopped:
	case <-time.After(p.grace):
	}
	p.stop()
	<-p.exited
	p.logs.wait()
	_ = p.stdout.Close()
	if selfExit && p.exitErr != nil {
		return p.failure(nil)
	}
	return nil
}

// stop sends SIGTERM to the process group, then SIGKILL after the grace period.
func (p *process[Req, Resp]) stop() {
	p.stopOnce.Do(func() {
		close(p.stopped)
		pgid := p.cmd.Process.Pid
		_ = syscall.Kill(-pgid, syscall.SIGTERM)
		go func() {
			select {
			case <-p.exited:
			case <-time.After(p.grace):
			}
			// Also reaps children that outlived the connector itself.
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
		}()
	})
}
