/** One versioned schema change, applied once in its own transaction. */
export interface Migration {
  version: string;
  name: string;
  /** The models it changes, Django-style `app.Model`, as `migrate --check` names them. */
  models: readonly string[];
  sql: string;
}

/** In order; never edit an applied migration, add a new one. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: '0001',
    name: 'core',
    models: ['core.User', 'sessions.Session', 'exams.Exam', 'exams.Copy', 'exams.Booklet', 'exams.Page'],
    sql: `
      CREATE TABLE users (
        id serial PRIMARY KEY,
        username text NOT NULL UNIQUE,
        password_hash text NOT NULL,
        role text NOT NULL CHECK (role IN ('ADMIN', 'TEACHER', 'STUDENT')),
        is_active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE sessions (
        key_hash text PRIMARY KEY,
        user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      );
      CREATE TABLE exams (
        id serial PRIMARY KEY,
        name text NOT NULL UNIQUE,
        exam_date date NOT NULL,
        description text NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE copies (
        id serial PRIMARY KEY,
        exam_id integer NOT NULL REFERENCES exams(id) ON DELETE CASCADE,
        anonymous_id text NOT NULL UNIQUE,
        student_id integer REFERENCES users(id) ON DELETE SET NULL,
        status text NOT NULL CHECK (status IN ('STAGING', 'READY', 'LOCKED', 'GRADED')),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE booklets (
        id serial PRIMARY KEY,
        copy_id integer NOT NULL REFERENCES copies(id) ON DELETE CASCADE,
        position integer NOT NULL,
        UNIQUE (copy_id, position)
      );
      CREATE TABLE pages (
        id serial PRIMARY KEY,
        booklet_id integer NOT NULL REFERENCES booklets(id) ON DELETE CASCADE,
        page_index integer NOT NULL,
        image_path text NOT NULL,
        sha256 text NOT NULL,
        width integer NOT NULL,
        height integer NOT NULL,
        UNIQUE (booklet_id, page_index)
      );
    `,
  },
  {
    version: '0002',
    name: 'grading',
    models: ['grading.CopyLock', 'grading.Annotation', 'core.Job'],
    sql: `
      CREATE TABLE copy_locks (
        copy_id integer PRIMARY KEY REFERENCES copies(id) ON DELETE CASCADE,
        owner_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        token text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      );
      CREATE TABLE annotations (
        id serial PRIMARY KEY,
        copy_id integer NOT NULL REFERENCES copies(id) ON DELETE CASCADE,
        page_index integer NOT NULL,
        x double precision NOT NULL,
        y double precision NOT NULL,
        w double precision NOT NULL,
        h double precision NOT NULL,
        type text NOT NULL,
        content text NOT NULL DEFAULT '',
        created_by integer REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE jobs (
        id serial PRIMARY KEY,
        kind text NOT NULL,
        copy_id integer REFERENCES copies(id) ON DELETE CASCADE,
        status text NOT NULL DEFAULT 'QUEUED' CHECK (status IN ('QUEUED', 'RUNNING', 'DONE', 'FAILED')),
        attempts integer NOT NULL DEFAULT 0,
        result text NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
  {
    version: '0003',
    name: 'indexes',
    models: ['exams.Copy', 'grading.Annotation', 'sessions.Session', 'core.Job'],
    // Only indexes, so the app runs (slower) when this one is pending: that is the pending-migration fault.
    sql: `
      CREATE INDEX copies_exam_status_idx ON copies (exam_id, status);
      CREATE INDEX annotations_copy_page_idx ON annotations (copy_id, page_index);
      CREATE INDEX sessions_expires_idx ON sessions (expires_at);
      CREATE INDEX jobs_status_idx ON jobs (status, id);
    `,
  },
  {
    version: '0004',
    name: 'exam_session',
    models: ['exams.Exam'],
    // Release v2 (src/release.ts): the session, derived from the date until now, becomes a stored
    // NOT NULL column. A real data migration: add it nullable, backfill the existing rows, then
    // require it, in the one transaction the migrator opens.
    sql: `
      ALTER TABLE exams ADD COLUMN session text;
      UPDATE exams SET session = to_char(exam_date, 'YYYY');
      ALTER TABLE exams ALTER COLUMN session SET NOT NULL;
    `,
  },
];
