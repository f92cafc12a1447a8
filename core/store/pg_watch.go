package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// The workspace watch on PostgreSQL: LISTEN/NOTIFY. Triggers on the sy_
// tables (migrations/postgres/0009_baseline.sql) and on every local entity
// table (pgNotifySQL) send the kind of what a transaction changed (config,
// runs or local) on the workspace's channel, sy_watch_channel(), when it
// commits. The Watch holds one connection that LISTENs; a look (Changed)
// makes one round trip on it, an empty statement, before which the server
// delivers every notification of the transactions committed so far
// (PostgreSQL sends the notifications it received before its ReadyForQuery),
// and then takes those pgx buffered. So Changed stays poll-shaped, a look
// costs one round trip, and nothing committed before a look is missed.

// The notifications' payloads: the kinds of Changed.
const (
	pgNotifyConfig = "config"
	pgNotifyRuns   = "runs"
	pgNotifyLocal  = "local"
)

// pgNotifyTrigger names the notification trigger of every local entity table.
const pgNotifyTrigger = "sy_notify"

// pgNotifySQL returns the statement that makes a local entity table notify
// the workspace watch of any write to it, once per statement.
func pgNotifySQL(name string) string {
	return fmt.Sprintf("CREATE TRIGGER %s AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION sy_notify('%s')",
		pgNotifyTrigger, quote(name), pgNotifyLocal)
}

// pgWatchState is what a Watch on PostgreSQL keeps besides its connection.
type pgWatchState struct {
	s *Store
	// lost: the last look failed, and notifications may be lost with the
	// connection: the next look listens on a new one and reports everything.
	lost bool
}

// pgWatch opens a Watch on a PostgreSQL workspace: a connection of its own
// that listens on the workspace's channel.
func (s *Store) pgWatch(ctx context.Context) (*Watch, error) {
	conn, err := s.pgListen(ctx)
	if err != nil {
		return nil, fmt.Errorf("watch workspace %s: %w", s.name(), err)
	}
	return &Watch{conn: conn, pg: &pgWatchState{s: s}}, nil
}

// pgListen returns a connection of its own that listens on the workspace's channel.
func (s *Store) pgListen(ctx context.Context) (*sql.Conn, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	var channel string
	err = conn.QueryRowContext(ctx, `SELECT sy_watch_channel()`).Scan(&channel)
	if err == nil {
		_, err = conn.ExecContext(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize())
	}
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("listen: %w", err)
	}
	return conn, nil
}

// pgChanged is Changed on PostgreSQL: what the notifications received since
// the last look say. After a failed look (the connection may be gone, and
// what it had received with it), the next one listens on a new connection
// and reports every kind as changed.
func (w *Watch) pgChanged(ctx context.Context) (Changed, error) {
	if w.pg.lost {
		conn, err := w.pg.s.pgListen(ctx)
		if err != nil {
			return Changed{}, fmt.Errorf("look for workspace changes: %w", err)
		}
		_ = w.conn.Raw(func(any) error { return driver.ErrBadConn }) // not back to the pool
		w.conn.Close()
		w.conn, w.pg.lost = conn, false
		return Changed{Config: true, Runs: true, LocalData: true}, nil
	}
	var c Changed
	err := w.conn.Raw(func(dc any) error {
		conn := dc.(*pgConn).Conn.Conn()
		if err := conn.Ping(ctx); err != nil { // an empty statement: the server delivers what is pending first
			return err
		}
		c = pgTakeNotifications(conn)
		return nil
	})
	if err != nil {
		w.pg.lost = true
		return Changed{}, fmt.Errorf("look for workspace changes: %w", err)
	}
	return c, nil
}

// pgTakeNotifications takes the notifications conn has received, without
// waiting, and says what they report.
func pgTakeNotifications(conn *pgx.Conn) Changed {
	done, cancel := context.WithCancel(context.Background())
	cancel() // WaitForNotification returns a buffered one, else at once
	var c Changed
	for {
		n, err := conn.WaitForNotification(done)
		if err != nil {
			return c
		}
		switch n.Payload {
		case pgNotifyConfig:
			c.Config = true
		case pgNotifyRuns:
			c.Runs = true
		case pgNotifyLocal:
			c.LocalData = true
		}
	}
}

// pgClose stops listening and drops what was received, so that the
// connection goes back to the pool as any other.
func (w *Watch) pgClose() error {
	_, err := w.conn.ExecContext(context.Background(), "UNLISTEN *")
	if err == nil {
		err = w.conn.Raw(func(dc any) error {
			pgTakeNotifications(dc.(*pgConn).Conn.Conn())
			return nil
		})
	}
	if err != nil {
		// The connection is not left listening: it is thrown away.
		_ = w.conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	return errors.Join(err, w.conn.Close())
}
