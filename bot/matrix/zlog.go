package matrix

import (
	"context"
	"encoding/json"
	"log/slog"

	"github.com/rs/zerolog"
)

// zerologTo sends mautrix's zerolog output to the bot's slog logger.
// mautrix's own info lines are internals to an operator, so they are
// logged at debug; its debug and trace lines only below that.
func zerologTo(log *slog.Logger) zerolog.Logger {
	w := slogWriter{log}
	min := zerolog.WarnLevel
	switch {
	case log.Enabled(context.Background(), slog.LevelDebug-4):
		min = zerolog.DebugLevel
	case log.Enabled(context.Background(), slog.LevelDebug):
		min = zerolog.InfoLevel
	}
	return zerolog.New(w).Level(min).With().Timestamp().Logger()
}

type slogWriter struct{ log *slog.Logger }

func (w slogWriter) Write(p []byte) (int, error) {
	return w.WriteLevel(zerolog.NoLevel, p)
}

func (w slogWriter) WriteLevel(l zerolog.Level, p []byte) (int, error) {
	var fields map[string]any
	if err := json.Unmarshal(p, &fields); err != nil {
		w.log.Debug("mautrix", "raw", string(p))
		return len(p), nil
	}
	msg, _ := fields[zerolog.MessageFieldName].(string)
	delete(fields, zerolog.MessageFieldName)
	delete(fields, zerolog.LevelFieldName)
	delete(fields, zerolog.TimestampFieldName)
	attrs := make([]any, 0, 2*len(fields)+2)
	attrs = append(attrs, "component", "mautrix")
	for k, v := range fields {
		attrs = append(attrs, k, v)
	}
	level := slog.LevelDebug - 4
	switch l {
	case zerolog.InfoLevel:
		level = slog.LevelDebug
	case zerolog.WarnLevel:
		level = slog.LevelWarn
	case zerolog.ErrorLevel, zerolog.FatalLevel, zerolog.PanicLevel:
		level = slog.LevelError
	}
	w.log.Log(context.Background(), level, "mautrix: "+msg, attrs...)
	return len(p), nil
}
