/* Structured one-line logs on stderr: `ts=... level=... msg=... key=value ...`.
 * Cheap enough for the event loop; never blocks on anything but stderr. */
#ifndef KT_LOG_H
#define KT_LOG_H

enum kt_log_level { KT_LOG_DEBUG, KT_LOG_INFO, KT_LOG_WARN, KT_LOG_ERROR };

void kt_log_set_level(enum kt_log_level level);

/* msg is a short fixed text (quoted in the output); fmt (may be NULL) appends key=value pairs. */
void kt_log(enum kt_log_level level, const char *msg, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define kt_debug(...) kt_log(KT_LOG_DEBUG, __VA_ARGS__)
#define kt_info(...)  kt_log(KT_LOG_INFO, __VA_ARGS__)
#define kt_warn(...)  kt_log(KT_LOG_WARN, __VA_ARGS__)
#define kt_error(...) kt_log(KT_LOG_ERROR, __VA_ARGS__)

#endif
