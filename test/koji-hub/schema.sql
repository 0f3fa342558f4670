-- State of the koji hub emulator: the subset of koji's schema (schemas/schema.sql in koji's
-- source) that users, permissions, hosts, channels, sessions and repos need. Table and column names
-- follow koji's, so a test can change state out of band with the same SQL that works on a real
-- hub (e.g. UPDATE users SET status = 1 WHERE name = 'alice'). Versioned tables keep koji's
-- create_event/revoke_event/creator_id/revoker_id/active columns; create_event defaults to a new
-- event, as in koji. Loaded once by the emulator, when public.users does not exist yet.

CREATE TABLE events (
	id SERIAL NOT NULL PRIMARY KEY,
	time TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);

CREATE FUNCTION get_event() RETURNS INTEGER LANGUAGE SQL AS $$
	INSERT INTO events DEFAULT VALUES RETURNING id
$$;

CREATE TABLE users (
	id SERIAL NOT NULL PRIMARY KEY,
	name VARCHAR(255) UNIQUE NOT NULL,
	password VARCHAR(255),
	status INTEGER NOT NULL,
	usertype INTEGER NOT NULL
);

CREATE TABLE user_krb_principals (
	user_id INTEGER NOT NULL REFERENCES users(id),
	krb_principal VARCHAR(255) NOT NULL UNIQUE,
	PRIMARY KEY (user_id, krb_principal)
);

CREATE TABLE permissions (
	id SERIAL NOT NULL PRIMARY KEY,
	name VARCHAR(50) UNIQUE NOT NULL,
	description TEXT
);

-- koji's default permissions, in koji's order (admin is id 1).
INSERT INTO permissions (name, description) VALUES
	('admin', 'Full administrator access. Perform all actions.'),
	('appliance', 'Create appliance builds - deprecated.'),
	('dist-repo', 'Create a dist-repo.'),
	('host', 'Add, remove, enable, disable hosts and channels.'),
	('image', 'Start image tasks.'),
	('image-import', 'Import image archives.'),
	('livecd', 'Start livecd tasks.'),
	('maven-import', 'Import maven archives.'),
	('repo', 'Manage repos: newRepo, repoExpire, repoDelete, repoProblem.'),
	('sign', 'Import RPM signatures and write signed RPMs.'),
	('tag', 'Manage packages in tags: add, block, remove, and clone tags.'),
	('target', 'Add, edit, and remove targets.'),
	('win-admin', 'The default hub policy rule for "vm" requires this permission to trigger Windows builds.'),
	('win-import', 'Import win archives.'),
	('draft-promoter', 'The permission required in the default "draft_promotion" hub policy rule to promote draft build.');

CREATE TABLE user_perms (
	user_id INTEGER NOT NULL REFERENCES users(id),
	perm_id INTEGER NOT NULL REFERENCES permissions(id),
	create_event INTEGER NOT NULL REFERENCES events(id) DEFAULT get_event(),
	revoke_event INTEGER REFERENCES events(id),
	creator_id INTEGER NOT NULL REFERENCES users(id),
	revoker_id INTEGER REFERENCES users(id),
	active BOOLEAN DEFAULT 'true' CHECK (active),
	CONSTRAINT active_revoke_sane CHECK (
		(active IS NULL AND revoke_event IS NOT NULL AND revoker_id IS NOT NULL)
		OR (active IS NOT NULL AND revoke_event IS NULL AND revoker_id IS NULL)),
	PRIMARY KEY (create_event, user_id, perm_id),
	UNIQUE (user_id, perm_id, active)
);

-- Group membership (groups are users with usertype 2); no API here creates groups, but SQL can,
-- and permission inheritance through groups is honoured.
CREATE TABLE user_groups (
	user_id INTEGER NOT NULL REFERENCES users(id),
	group_id INTEGER NOT NULL REFERENCES users(id),
	create_event INTEGER NOT NULL REFERENCES events(id) DEFAULT get_event(),
	revoke_event INTEGER REFERENCES events(id),
	creator_id INTEGER NOT NULL REFERENCES users(id),
	revoker_id INTEGER REFERENCES users(id),
	active BOOLEAN DEFAULT 'true' CHECK (active),
	CONSTRAINT active_revoke_sane CHECK (
		(active IS NULL AND revoke_event IS NOT NULL AND revoker_id IS NOT NULL)
		OR (active IS NOT NULL AND revoke_event IS NULL AND revoker_id IS NULL)),
	PRIMARY KEY (create_event, user_id, group_id),
	UNIQUE (user_id, group_id, active)
);

CREATE TABLE sessions (
	id SERIAL NOT NULL PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users(id),
	expired BOOLEAN NOT NULL DEFAULT FALSE,
	master INTEGER REFERENCES sessions(id),
	key VARCHAR(255),
	authtype INTEGER,
	hostip VARCHAR(255),
	callnum INTEGER,
	start_time TIMESTAMPTZ NOT NULL DEFAULT NOW(),
	update_time TIMESTAMPTZ NOT NULL DEFAULT NOW(),
	exclusive BOOLEAN CHECK (exclusive),
	closed BOOLEAN NOT NULL DEFAULT FALSE,
	renew_time TIMESTAMPTZ,
	CONSTRAINT no_exclusive_subsessions CHECK (master IS NULL OR "exclusive" IS NULL),
	CONSTRAINT no_closed_exclusive CHECK (closed IS FALSE OR "exclusive" IS NULL),
	UNIQUE (user_id, exclusive)
);

CREATE TABLE channels (
	id SERIAL NOT NULL PRIMARY KEY,
	name VARCHAR(128) UNIQUE NOT NULL,
	description TEXT,
	enabled BOOLEAN NOT NULL DEFAULT 'true',
	comment TEXT
);

-- koji's default channels.
INSERT INTO channels (name) VALUES ('default'), ('createrepo'), ('maven'), ('livecd'),
	('appliance'), ('vm'), ('image'), ('livemedia');

CREATE TABLE host (
	id SERIAL NOT NULL PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users (id),
	name VARCHAR(128) UNIQUE NOT NULL,
	update_time TIMESTAMPTZ,
	task_load FLOAT CHECK (NOT task_load < 0) NOT NULL DEFAULT 0.0,
	ready BOOLEAN NOT NULL DEFAULT 'false'
);

CREATE TABLE host_config (
	host_id INTEGER NOT NULL REFERENCES host(id),
	arches TEXT,
	capacity FLOAT CHECK (capacity > 1) NOT NULL DEFAULT 2.0,
	description TEXT,
	comment TEXT,
	enabled BOOLEAN NOT NULL DEFAULT 'true',
	create_event INTEGER NOT NULL REFERENCES events(id) DEFAULT get_event(),
	revoke_event INTEGER REFERENCES events(id),
	creator_id INTEGER NOT NULL REFERENCES users(id),
	revoker_id INTEGER REFERENCES users(id),
	active BOOLEAN DEFAULT 'true' CHECK (active),
	CONSTRAINT active_revoke_sane CHECK (
		(active IS NULL AND revoke_event IS NOT NULL AND revoker_id IS NOT NULL)
		OR (active IS NOT NULL AND revoke_event IS NULL AND revoker_id IS NULL)),
	PRIMARY KEY (create_event, host_id),
	UNIQUE (host_id, active)
);

CREATE TABLE host_channels (
	host_id INTEGER NOT NULL REFERENCES host(id),
	channel_id INTEGER NOT NULL REFERENCES channels(id),
	create_event INTEGER NOT NULL REFERENCES events(id) DEFAULT get_event(),
	revoke_event INTEGER REFERENCES events(id),
	creator_id INTEGER NOT NULL REFERENCES users(id),
	revoker_id INTEGER REFERENCES users(id),
	active BOOLEAN DEFAULT 'true' CHECK (active),
	CONSTRAINT active_revoke_sane CHECK (
		(active IS NULL AND revoke_event IS NOT NULL AND revoker_id IS NOT NULL)
		OR (active IS NOT NULL AND revoke_event IS NULL AND revoker_id IS NULL)),
	PRIMARY KEY (create_event, host_id, channel_id),
	UNIQUE (host_id, channel_id, active)
);

-- Repos, as kojira reads them (repo.query, repoInfo, getActiveRepos, repo.queryQueue). No API
-- of the emulator makes tags, tasks, external repos or repos, so these stay empty unless SQL
-- fills them; the repo calls still run their queries against them. Column subsets of koji's
-- tables where the emulator reads only some columns (tag, task, external_repo).
CREATE TABLE volume (
	id SERIAL NOT NULL PRIMARY KEY,
	name TEXT UNIQUE NOT NULL
);

-- koji's default volume, id 0.
INSERT INTO volume (id, name) VALUES (0, 'DEFAULT');

CREATE TABLE tag (
	id SERIAL NOT NULL PRIMARY KEY,
	name TEXT UNIQUE NOT NULL
);

CREATE TABLE tag_extra (
	tag_id INTEGER NOT NULL REFERENCES tag(id),
	key TEXT NOT NULL,
	value TEXT,
	create_event INTEGER NOT NULL REFERENCES events(id) DEFAULT get_event(),
	revoke_event INTEGER REFERENCES events(id),
	creator_id INTEGER NOT NULL REFERENCES users(id),
	revoker_id INTEGER REFERENCES users(id),
	active BOOLEAN DEFAULT 'true' CHECK (active),
	CONSTRAINT active_revoke_sane CHECK (
		(active IS NULL AND revoke_event IS NOT NULL AND revoker_id IS NOT NULL)
		OR (active IS NOT NULL AND revoke_event IS NULL AND revoker_id IS NULL)),
	PRIMARY KEY (create_event, tag_id, key),
	UNIQUE (tag_id, key, active)
);

CREATE TABLE task (
	id SERIAL NOT NULL PRIMARY KEY,
	state INTEGER
);

CREATE TABLE repo (
	id SERIAL NOT NULL PRIMARY KEY,
	creation_time TIMESTAMPTZ DEFAULT NOW(),
	create_event INTEGER NOT NULL REFERENCES events(id) DEFAULT get_event(),
	state_time TIMESTAMPTZ DEFAULT NOW(),
	begin_event INTEGER REFERENCES events(id),
	end_event INTEGER REFERENCES events(id),
	tag_id INTEGER NOT NULL REFERENCES tag(id),
	state INTEGER,
	dist BOOLEAN DEFAULT 'false',
	opts JSONB,
	custom_opts JSONB,
	task_id INTEGER REFERENCES task(id)
);

CREATE TABLE repo_queue (
	id SERIAL NOT NULL PRIMARY KEY,
	create_time TIMESTAMPTZ NOT NULL DEFAULT NOW(),
	owner INTEGER REFERENCES users(id) NOT NULL,
	priority INTEGER NOT NULL,
	tag_id INTEGER NOT NULL REFERENCES tag(id),
	at_event INTEGER REFERENCES events(id),
	min_event INTEGER REFERENCES events(id),
	opts JSONB NOT NULL,
	CONSTRAINT only_one_event CHECK (at_event IS NULL OR min_event IS NULL),
	update_time TIMESTAMPTZ NOT NULL DEFAULT NOW(),
	active BOOLEAN NOT NULL DEFAULT TRUE,
	task_id INTEGER REFERENCES task(id),
	tries INTEGER NOT NULL DEFAULT 0,
	repo_id INTEGER REFERENCES repo(id),
	CONSTRAINT active_sane CHECK (NOT active OR repo_id IS NULL)
);

CREATE TABLE external_repo (
	id SERIAL NOT NULL PRIMARY KEY,
	name TEXT UNIQUE NOT NULL
);

CREATE TABLE external_repo_config (
	external_repo_id INTEGER NOT NULL REFERENCES external_repo(id),
	url TEXT NOT NULL,
	create_event INTEGER NOT NULL REFERENCES events(id) DEFAULT get_event(),
	revoke_event INTEGER REFERENCES events(id),
	creator_id INTEGER NOT NULL REFERENCES users(id),
	revoker_id INTEGER REFERENCES users(id),
	active BOOLEAN DEFAULT 'true' CHECK (active),
	CONSTRAINT active_revoke_sane CHECK (
		(active IS NULL AND revoke_event IS NOT NULL AND revoker_id IS NOT NULL)
		OR (active IS NOT NULL AND revoke_event IS NULL AND revoker_id IS NULL)),
	PRIMARY KEY (create_event, external_repo_id),
	UNIQUE (external_repo_id, active)
);

CREATE TABLE tag_external_repos (
	tag_id INTEGER NOT NULL REFERENCES tag(id),
	external_repo_id INTEGER NOT NULL REFERENCES external_repo(id),
	priority INTEGER NOT NULL,
	merge_mode TEXT NOT NULL DEFAULT 'koji',
	arches TEXT,
	create_event INTEGER NOT NULL REFERENCES events(id) DEFAULT get_event(),
	revoke_event INTEGER REFERENCES events(id),
	creator_id INTEGER NOT NULL REFERENCES users(id),
	revoker_id INTEGER REFERENCES users(id),
	active BOOLEAN DEFAULT 'true' CHECK (active),
	CONSTRAINT active_revoke_sane CHECK (
		(active IS NULL AND revoke_event IS NOT NULL AND revoker_id IS NOT NULL)
		OR (active IS NOT NULL AND revoke_event IS NULL AND revoker_id IS NULL)),
	PRIMARY KEY (create_event, tag_id, priority),
	UNIQUE (tag_id, priority, active),
	UNIQUE (tag_id, external_repo_id, active)
);

CREATE TABLE external_repo_data (
	external_repo_id INTEGER NOT NULL REFERENCES external_repo(id),
	data JSONB,
	create_event INTEGER NOT NULL REFERENCES events(id) DEFAULT get_event(),
	revoke_event INTEGER REFERENCES events(id),
	creator_id INTEGER NOT NULL REFERENCES users(id),
	revoker_id INTEGER REFERENCES users(id),
	active BOOLEAN DEFAULT 'true' CHECK (active),
	CONSTRAINT active_revoke_sane CHECK (
		(active IS NULL AND revoke_event IS NOT NULL AND revoker_id IS NOT NULL)
		OR (active IS NOT NULL AND revoke_event IS NULL AND revoker_id IS NULL)),
	PRIMARY KEY (create_event, external_repo_id),
	UNIQUE (external_repo_id, active)
);
