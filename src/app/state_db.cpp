#include "stsd/app/state_db.h"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <fstream>
#include <functional>

namespace stsd::app {

namespace {

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS meta(name TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS entity(kind TEXT NOT NULL, key TEXT NOT NULL, body TEXT NOT NULL,"
    " PRIMARY KEY(kind, key));";

// Statements are few and short-lived; a holder finalizes on every path.
struct Statement {
  sqlite3_stmt* stmt = nullptr;
  ~Statement() { sqlite3_finalize(stmt); }
};

bool bind_text(sqlite3_stmt* stmt, int index, std::string_view text) {
  return sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT) == SQLITE_OK;
}

std::string column_text(sqlite3_stmt* stmt, int column) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, column));
  return text ? std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt, column))) : std::string();
}

}  // namespace

bool StateDb::is_database(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char header[16] = {};
  in.read(header, sizeof header);
  return in.gcount() == sizeof header && std::string_view(header, sizeof header) == std::string_view("SQLite format 3\0", 16);
}

Result<std::unique_ptr<StateDb>, std::string> StateDb::open(const std::string& path, int busy_timeout_ms) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 nullptr);
  if (rc != SQLITE_OK) {
    std::string message = path + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    return unexpected(std::move(message));
  }
  std::unique_ptr<StateDb> out(new StateDb(db, path));
  // WAL with synchronous=FULL: a commit is on disk when it returns.
  sqlite3_busy_timeout(db, busy_timeout_ms);
  for (const char* sql : {"PRAGMA journal_mode=WAL;", "PRAGMA synchronous=FULL;", kSchema})
    if (auto ok = out->exec(sql); !ok) return unexpected(ok.error());
  return out;
}

StateDb::~StateDb() { sqlite3_close(db_); }

std::string StateDb::error_text(std::string_view what) const {
  return path_ + ": " + std::string(what) + ": " + sqlite3_errmsg(db_);
}

Result<void, std::string> StateDb::exec(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = path_ + ": " + (message ? message : "error");
    sqlite3_free(message);
    return unexpected(std::move(text));
  }
  return {};
}

Result<void, std::string> StateDb::in_transaction(const std::function<Result<void, std::string>()>& body) {
  if (auto begun = exec("BEGIN IMMEDIATE;"); !begun) return begun;
  auto done = body();
  if (!done) {
    (void)exec("ROLLBACK;");
    return done;
  }
  if (auto committed = exec("COMMIT;"); !committed) {
    (void)exec("ROLLBACK;");
    return committed;
  }
  return {};
}

Result<void, std::string> StateDb::upsert(std::string_view kind, std::string_view key, std::string_view body) {
  Statement s;
  if (sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO entity(kind, key, body) VALUES(?, ?, ?);", -1, &s.stmt,
                         nullptr) != SQLITE_OK ||
      !bind_text(s.stmt, 1, kind) || !bind_text(s.stmt, 2, key) || !bind_text(s.stmt, 3, body) ||
      sqlite3_step(s.stmt) != SQLITE_DONE)
    return unexpected(error_text("writing an entity"));
  return {};
}

Result<void, std::string> StateDb::erase(std::string_view kind, std::string_view key) {
  Statement s;
  if (sqlite3_prepare_v2(db_, "DELETE FROM entity WHERE kind = ? AND key = ?;", -1, &s.stmt, nullptr) != SQLITE_OK ||
      !bind_text(s.stmt, 1, kind) || !bind_text(s.stmt, 2, key) || sqlite3_step(s.stmt) != SQLITE_DONE)
    return unexpected(error_text("deleting an entity"));
  return {};
}

Result<void, std::string> StateDb::put_meta(std::string_view name, std::string_view value) {
  Statement s;
  if (sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO meta(name, value) VALUES(?, ?);", -1, &s.stmt, nullptr) !=
          SQLITE_OK ||
      !bind_text(s.stmt, 1, name) || !bind_text(s.stmt, 2, value) || sqlite3_step(s.stmt) != SQLITE_DONE)
    return unexpected(error_text("writing the config"));
  return {};
}

Result<std::optional<StateDb::Contents>, std::string> StateDb::read() {
  std::lock_guard lock(mutex_);
  Contents out;
  bool has_config = false, has_entities = false;
  {
    Statement s;
    if (sqlite3_prepare_v2(db_, "SELECT name, value FROM meta;", -1, &s.stmt, nullptr) != SQLITE_OK)
      return unexpected(error_text("reading the config"));
    int rc;
    while ((rc = sqlite3_step(s.stmt)) == SQLITE_ROW) {
      const std::string name = column_text(s.stmt, 0);
      if (name == "config") {
        out.config_json = column_text(s.stmt, 1);
        has_config = true;
      } else if (name == "entities") {
        has_entities = true;
      }
    }
    if (rc != SQLITE_DONE) return unexpected(error_text("reading the config"));
  }
  if (!has_config) return std::optional<Contents>();
  if (has_entities) {
    domain::StoreData data;
    Statement s;
    if (sqlite3_prepare_v2(db_, "SELECT kind, body FROM entity ORDER BY rowid;", -1, &s.stmt, nullptr) != SQLITE_OK)
      return unexpected(error_text("reading entities"));
    int rc;
    while ((rc = sqlite3_step(s.stmt)) == SQLITE_ROW) {
      const std::string kind = column_text(s.stmt, 0);
      if (!add_entity(kind, column_text(s.stmt, 1), data))
        return unexpected(path_ + ": an entity row of kind '" + kind + "' cannot be read");
    }
    if (rc != SQLITE_DONE) return unexpected(error_text("reading entities"));
    out.entities = std::move(data);
  }
  return std::optional<Contents>(std::move(out));
}

Result<void, std::string> StateDb::replace_all(std::string_view config_json, const domain::StoreData& data) {
  std::lock_guard lock(mutex_);
  return in_transaction([&]() -> Result<void, std::string> {
    if (auto ok = exec("DELETE FROM entity;"); !ok) return ok;
    if (auto ok = put_meta("config", config_json); !ok) return ok;
    if (auto ok = put_meta("entities", "1"); !ok) return ok;
    Result<void, std::string> status;
    for_each_entity(data, [&](domain::EntityKind kind, const std::string& key, const void* entity) {
      if (status) status = upsert(entity_kind_name(kind), key, entity_body(kind, entity));
    });
    return status;
  });
}

Result<void, std::string> StateDb::put_config(std::string_view config_json) {
  std::lock_guard lock(mutex_);
  return in_transaction([&] { return put_meta("config", config_json); });
}

Result<void, std::string> StateDb::commit(const std::vector<domain::StoreChange>& changes) {
  std::lock_guard lock(mutex_);
  auto done = in_transaction([&]() -> Result<void, std::string> {
    for (const domain::StoreChange& c : changes) {
      auto ok = c.entity ? upsert(entity_kind_name(c.kind), c.key, entity_body(c.kind, c.entity.get()))
                         : erase(entity_kind_name(c.kind), c.key);
      if (!ok) return ok;
    }
    return {};
  });
  if (!done) spdlog::error("--state: {}", done.error());
  return done;
}

}  // namespace stsd::app
