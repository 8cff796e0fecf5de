package accounts

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/store"
)

// UserSession is one login of a user as the account page lists it.
type UserSession struct {
	ID         int64
	UserID     int64
	Epoch      int64
	UserAgent  string
	IP         string
	CreatedAt  time.Time
	LastSeenAt time.Time
	Current    bool `gorm:"-"` // the session the list is shown in
}

// SessionLimits are the idle timeout and the absolute lifetime of a session
// (KIMIBV_SESSION_IDLE, KIMIBV_SESSION_LIFETIME); rows past either are not listed and
// are deleted at the user's next login.
type SessionLimits struct{ Idle, Lifetime time.Duration }

// touchEvery is how stale last_seen_at may be before a request refreshes it, so that a
// busy session does not update its row on every request.
const touchEvery = time.Minute

// clip shortens s to n characters of valid UTF-8 without control characters (a user
// agent is what the client sent).
func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
	if utf8.RuneCountInString(s) > n {
		s = string([]rune(s)[:n])
	}
	return s
}

// StartSession records a new login of userID (with the session epoch it began in, the
// client's user agent and address as seen; proved when the login itself proved the
// identity) and deletes the user's rows that ended (older epoch, idle or past their
// lifetime). It returns the row's id for the session.
func StartSession(ctx context.Context, db *gorm.DB, userID, epoch int64, userAgent, ip string, lim SessionLimits, proved bool) (int64, error) {
	var id int64
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		if err := tx.Exec(`DELETE FROM user_sessions WHERE user_id = ? AND (epoch < ? OR last_seen_at < now() - make_interval(secs => ?)
				OR created_at < now() - make_interval(secs => ?))`, userID, epoch, lim.Idle.Seconds(), lim.Lifetime.Seconds()).Error; err != nil {
			return fmt.Errorf("forget ended sessions: %w", err)
		}
		return tx.Raw(`INSERT INTO user_sessions (user_id, epoch, user_agent, ip, proved_at) VALUES (?, ?, ?, ?, CASE WHEN ? THEN now() END) RETURNING id`,
			userID, epoch, clip(userAgent, 300), clip(ip, 100), proved).Scan(&id).Error
	})
	if err != nil {
		return 0, fmt.Errorf("start session: %w", err)
	}
	return id, nil
}

// SessionState is what a request learns from its session row: whether the session still
// exists, and its proofs of identity (rules.md R29).
type SessionState struct {
	Alive        bool
	SecondFactor bool // the session confirmed the second factor
	Fresh        bool // the last proof of identity is younger than the age asked for
}

// LoadSessionState reads the session row id of userID with one query (fresh: a proof
// within freshAge) and refreshes its last_seen_at when it is older than touchEvery
// (session bookkeeping like the scs expiry, not a domain write).
func LoadSessionState(ctx context.Context, db *gorm.DB, id, userID int64, freshAge time.Duration) (SessionState, error) {
	var rows []struct {
		Stale, SecondFactor, Fresh bool
	}
	if err := db.WithContext(ctx).Raw(`SELECT last_seen_at < now() - make_interval(secs => ?) AS stale, second_factor_at IS NOT NULL AS second_factor,
			coalesce(proved_at > now() - make_interval(secs => ?), false) AS fresh FROM user_sessions WHERE id = ? AND user_id = ?`,
		touchEvery.Seconds(), freshAge.Seconds(), id, userID).Scan(&rows).Error; err != nil {
		return SessionState{}, fmt.Errorf("check session: %w", err)
	}
	if len(rows) == 0 {
		return SessionState{}, nil
	}
	if rows[0].Stale {
		if err := db.WithContext(ctx).Exec(`UPDATE user_sessions SET last_seen_at = now() WHERE id = ?`, id).Error; err != nil {
			return SessionState{}, fmt.Errorf("touch session: %w", err)
		}
	}
	return SessionState{Alive: true, SecondFactor: rows[0].SecondFactor, Fresh: rows[0].Fresh}, nil
}

// ProveSession records in the session row id a proof of identity given now (password or
// code), and with secondFactor that the session confirmed the second factor (R29).
func ProveSession(ctx context.Context, db *gorm.DB, id int64, secondFactor bool) error {
	q := `UPDATE user_sessions SET proved_at = now() WHERE id = ?`
	if secondFactor {
		q = `UPDATE user_sessions SET proved_at = now(), second_factor_at = now() WHERE id = ?`
	}
	if err := db.WithContext(ctx).Exec(q, id).Error; err != nil {
		return fmt.Errorf("prove session: %w", err)
	}
	return nil
}

// KeepSessionAfterEpoch moves the session row id of userID to epoch: the session in which
// the password was changed stays listed while the others (older epoch) end.
func KeepSessionAfterEpoch(ctx context.Context, db *gorm.DB, id, userID, epoch int64) error {
	if err := db.WithContext(ctx).Exec(`UPDATE user_sessions SET epoch = ? WHERE id = ? AND user_id = ?`, epoch, id, userID).Error; err != nil {
		return fmt.Errorf("keep session: %w", err)
	}
	return nil
}

// ActiveSessions lists the user's running sessions, the most recently used first; the
// one with id current is marked.
func ActiveSessions(ctx context.Context, db *gorm.DB, actor *core.Actor, current int64, lim SessionLimits) ([]UserSession, error) {
	var out []UserSession
	err := db.WithContext(ctx).Raw(`SELECT s.* FROM user_sessions s JOIN users u ON u.id = s.user_id
		WHERE s.user_id = ? AND s.epoch = u.session_epoch AND s.last_seen_at >= now() - make_interval(secs => ?)
			AND s.created_at >= now() - make_interval(secs => ?)
		ORDER BY s.last_seen_at DESC, s.id DESC`, actor.UserID, lim.Idle.Seconds(), lim.Lifetime.Seconds()).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	for i := range out {
		out[i].Current = out[i].ID == current
	}
	return out, nil
}

// EndSession ends another session id of the actor (its next request is anonymous) and
// audits it as user.session_ended. The current session is ended by logging out; another
// user's session, or one already ended, is ErrNotFound.
func EndSession(ctx context.Context, db *gorm.DB, actor *core.Actor, id, current int64) error {
	if actor == nil || id == current {
		return fmt.Errorf("end session %d: %w", id, core.ErrNotFound)
	}
	return store.InTx(ctx, db, func(tx *gorm.DB) error {
		var s UserSession
		res := tx.Raw(`DELETE FROM user_sessions WHERE id = ? AND user_id = ? RETURNING *`, id, actor.UserID).Scan(&s)
		if res.Error != nil {
			return fmt.Errorf("end session %d: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("end session %d: %w", id, core.ErrNotFound)
		}
		_, err := audit.Audit(tx, audit.Event{Chain: audit.ChainPlatform, ActorID: actor.UserID, Action: "user.session_ended",
			ObjectType: "user", ObjectID: fmt.Sprint(actor.UserID),
			Details: map[string]any{"session": s.ID, "session_started": s.CreatedAt.UTC().Format(time.RFC3339)}})
		return err
	})
}

// endSessionsTx ends every session of userID inside tx: the epoch moves on, so each
// session's next request is anonymous (app.loadActor) and their rows are no longer
// listed. Role removal and the operator's lock call it.
func endSessionsTx(tx *gorm.DB, userID int64) error {
	if err := tx.Exec(`UPDATE users SET session_epoch = session_epoch + 1 WHERE id = ?`, userID).Error; err != nil {
		return fmt.Errorf("end sessions of user %d: %w", userID, err)
	}
	if err := tx.Exec(`DELETE FROM user_sessions WHERE user_id = ?`, userID).Error; err != nil {
		return fmt.Errorf("forget sessions of user %d: %w", userID, err)
	}
	return nil
}
