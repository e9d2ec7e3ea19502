package postgres

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
)

// replStream is a logical replication stream of one slot, decoded with pgoutput.
type replStream struct {
	conn      *pgconn.PgConn
	confirmed lsn // reported to the server as flushed: WAL before it may be recycled
	lastSent  time.Time
}

// replEvent is one decoded pgoutput message with the WAL position it was sent at.
type replEvent struct {
	at  lsn
	msg any
}

// pgEpoch is where PostgreSQL's replication timestamps count from.
var pgEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// standbyInterval is how often the confirmed position is reported even when nothing changed, well
// inside the server's wal_sender_timeout.
const standbyInterval = 5 * time.Second

// startReplication opens a replication connection and starts streaming slot from start.
func startReplication(ctx context.Context, connString, slot, publication string, start lsn) (*replStream, error) {
	cfg, err := pgconn.ParseConfig(connString)
	if err != nil {
		return nil, err
	}
	cfg.RuntimeParams["replication"] = "database"
	conn, err := pgconn.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("opening a replication connection: %w (the user needs the REPLICATION attribute)", err)
	}
	sql := fmt.Sprintf(`START_REPLICATION SLOT %s LOGICAL %s ("proto_version" '1', "publication_names" '%s')`,
		quoteIdent(slot), start, escapeLiteral(publication))
	conn.Frontend().Send(&pgproto3.Query{String: sql})
	if err := conn.Frontend().Flush(); err != nil {
		conn.Close(ctx)
		return nil, err
	}
	for {
		msg, err := conn.ReceiveMessage(ctx)
		if err != nil {
			conn.Close(ctx)
			return nil, fmt.Errorf("starting replication of slot %s: %w", slot, err)
		}
		switch m := msg.(type) {
		case *pgproto3.CopyBothResponse:
			return &replStream{conn: conn, confirmed: start}, nil
		case *pgproto3.ErrorResponse:
			conn.Close(ctx)
			return nil, fmt.Errorf("starting replication of slot %s: %s (SQLSTATE %s)", slot, m.Message, m.Code)
		case *pgproto3.NoticeResponse, *pgproto3.ParameterStatus:
		default:
			conn.Close(ctx)
			return nil, fmt.Errorf("starting replication of slot %s: unexpected %T from the server", slot, msg)
		}
	}
}

// next returns the next pgoutput message, or nil when none arrived within wait. It answers keepalives
// and reports the confirmed position as needed.
func (s *replStream) next(ctx context.Context, wait time.Duration) (*replEvent, error) {
	if time.Since(s.lastSent) > standbyInterval {
		if err := s.sendStandby(); err != nil {
			return nil, err
		}
	}
	rctx, cancel := context.WithTimeout(ctx, wait)
	msg, err := s.conn.ReceiveMessage(rctx)
	cancel()
	if err != nil {
		if ctx.Err() == nil && pgconn.Timeout(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("reading the replication stream: %w", err)
	}
	switch m := msg.(type) {
	case *pgproto3.CopyData:
		return s.handleCopyData(m.Data)
	case *pgproto3.ErrorResponse:
		return nil, fmt.Errorf("replication stream failed: %s (SQLSTATE %s)", m.Message, m.Code)
	case *pgproto3.CopyDone:
		return nil, errors.New("the server ended the replication stream")
	default:
		return nil, nil
	}
}

func (s *replStream) handleCopyData(data []byte) (*replEvent, error) {
	if len(data) == 0 {
		return nil, errors.New("empty replication message")
	}
	switch data[0] {
	case 'k': // primary keepalive: walEnd, sendTime, replyRequested
		if len(data) < 18 {
			return nil, errors.New("truncated replication keepalive")
		}
		if data[17] == 1 {
			return nil, s.sendStandby()
		}
		return nil, nil
	case 'w': // XLogData: walStart, walEnd, sendTime, then one pgoutput message
		if len(data) < 25 {
			return nil, errors.New("truncated replication XLogData")
		}
		at := lsn(binary.BigEndian.Uint64(data[1:9]))
		msg, err := decodePgoutput(data[25:])
		if err != nil {
			return nil, err
		}
		return &replEvent{at: at, msg: msg}, nil
	default:
		return nil, fmt.Errorf("unknown replication message type %q", data[0])
	}
}

// confirm records that everything before pos is durably captured.
func (s *replStream) confirm(pos lsn) error {
	if pos <= s.confirmed {
		return nil
	}
	s.confirmed = pos
	return s.sendStandby()
}

// sendStandby reports the confirmed position as written, flushed and applied.
func (s *replStream) sendStandby() error {
	buf := make([]byte, 0, 34)
	buf = append(buf, 'r')
	for range 3 {
		buf = binary.BigEndian.AppendUint64(buf, uint64(s.confirmed))
	}
	buf = binary.BigEndian.AppendUint64(buf, uint64(time.Since(pgEpoch).Microseconds()))
	buf = append(buf, 0) // no reply requested
	s.conn.Frontend().Send(&pgproto3.CopyData{Data: buf})
	s.lastSent = time.Now()
	return s.conn.Frontend().Flush()
}

func (s *replStream) close(ctx context.Context) {
	_ = s.conn.Close(ctx)
}
