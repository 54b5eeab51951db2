/**
 * Every command, its flags, description and examples, in one table (a file of its own so that
 * completion and help read it without importing the dispatcher in cli.ts). Command modules
 * load by dynamic import only when they run, so this file imports nothing heavy.
 *
 * Adding a command: add a row here and a module in commands/ that exports
 * `run(context): Promise<CommandResult>`.
 */
import type { CommandSpec } from "./framework/spec.js"

export const COMMANDS: readonly CommandSpec[] = [
  {
    words: ["login"],
    summary: "check a Cloudflare API token and store it for this user",
    description: [
      "The token comes from --from-stdin, else CLOUDFLARE_API_TOKEN, else a hidden prompt at a terminal. " +
        "It needs the permission \"Account Secrets Store Edit\", and \"Workers Scripts Edit\" to deploy (create one at https://dash.cloudflare.com/profile/api-tokens).",
      "The account is --account-id, else the accountId of the project's Cloudflare environment (--env picks one), " +
        "else CLOUDFLARE_ACCOUNT_ID, else the only account the token reaches.",
      "Layer verifies the token, the account, Secrets Store access and Workers Scripts access (reads: they confirm Read; " +
        "Edit can only be confirmed by writing, and the output says which were confirmed) before storing anything: in the OS keychain " +
        "where available (macOS Keychain, Secret Service via secret-tool), else in LAYERON_HOME/credentials.json (mode 0600). " +
        "LAYERON_CREDENTIALS_STORE=file skips the keychain. CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID, when set, take precedence over stored credentials.",
    ],
    positionals: [],
    flags: {
      "account-id": { type: "string", valueName: "id", description: "the Cloudflare account (32 hex digits)" },
      "from-stdin": { type: "boolean", description: "read the API token from stdin instead of a hidden prompt" },
    },
    examples: ["layer login", "printf '%s' \"$TOKEN\" | layer login --from-stdin --account-id 0123456789abcdef0123456789abcdef", "layer login --env production"],
    load: () => import("./commands/login.js"),
  },
  {
    words: ["logout"],
    summary: "forget the stored Cloudflare credentials",
    description: ["Removes the keychain item and LAYERON_HOME/credentials.json. CLOUDFLARE_API_TOKEN, if set, is not touched (a warning says so)."],
    positionals: [],
    flags: {},
    examples: ["layer logout"],
    load: () => import("./commands/logout.js"),
  },
  {
    words: ["whoami"],
    summary: "show which Cloudflare account and token the CLI would use, and check them",
    description: [
      "Shows where the token comes from (CLOUDFLARE_API_TOKEN, keychain or file), its fingerprint (sha256: and 8 hex " +
        "digits of its SHA-256; the token itself is never shown), the account and whether Cloudflare accepts both. " +
        "Exits 1 when there is no token or Cloudflare rejects it.",
      "Also probes Secrets Store and Workers Scripts on the account with reads, and says which permissions that confirmed: " +
        "write access (Edit) can only be confirmed by writing. Exits 1 when the account cannot be reached with the token.",
    ],
    positionals: [],
    flags: {},
    examples: ["layer whoami", "layer whoami --env production --json"],
    load: () => import("./commands/whoami.js"),
  },
  {
    words: ["secret", "set"],
    summary: "write a secret's value",
    description: [
      "NAME is a declared `namespace/name` (written to its physical name, lo_… or its adopted secretName) " +
        "or a Cloudflare secret name (letters, digits, _ and -). A bare name that a declaration in the " +
        "\"default\" namespace uses (session-key) means that declaration.",
      "The value comes from exactly one of --value, --value-env, --from-stdin, or a hidden prompt asked twice " +
        "when stdin is a terminal. stdin is kept byte for byte (no trimming). A value that is a JSON object with " +
        "\"current\" and \"versions\" is an envelope and must be valid; --plain stores it literally instead.",
      "Values may hold at most 65,536 UTF-8 bytes; a warning appears above 80 %. Random and generated secrets " +
        "take base64url values (no padding). The output names the physical secret written and a short " +
        "fingerprint (HMAC-SHA-256 with a key kept in LAYERON_HOME), never the value.",
      "For random and generated secrets, standard base64 or hex of the declared length is converted to base64url (a warning says so, " +
        "with the byte count) and a trailing newline is refused by name. Text starting like an envelope that is not valid JSON is refused " +
        "with the position where it breaks, unless --plain. The last line says what happens next: whether running Workers read the new " +
        "value now (a bound secret is read live) or after `layer deploy --env <env>` (not bound yet).",
      "No write drops a readable version unless asked: for a secret with a rotation policy, a plain value becomes the next version " +
        "v<N+1> and the older versions are kept, given an expiresAt or dropped exactly as a scheduled rotation would. Any other write " +
        "that would remove a version still readable (a plain value on a secret without a policy that holds several, an envelope that " +
        "leaves one out) is refused with versions_would_be_lost unless --replace-all. The output says what happens to each version.",
      "An UPPER_SNAKE NAME that no declaration claims exactly follows the env-style convention (AUTH__SESSION_KEY is auth/session-key; " +
        "SESSION_KEY is the one declaration named session-key), as `secret import` does; an undeclared NAME a small edit away from a " +
        "declared one is refused with \"did you mean\". --undeclared turns both off.",
    ],
    positionals: [{ name: "NAME", required: true, description: "declared namespace/name, or a Cloudflare secret name" }],
    flags: {
      value: { type: "string", valueName: "text", description: "the value itself (visible to other processes: prefer the other sources)" },
      "value-env": { type: "string", valueName: "VAR", description: "read the value from environment variable VAR" },
      "from-stdin": { type: "boolean", description: "read the value from stdin to EOF, bytes kept as they are" },
      plain: { type: "boolean", description: "store the value literally even if it looks like an envelope" },
      "replace-all": {
        type: "boolean",
        description: "store exactly the value given, removing versions that are still readable, or setting aside a local record that does not decrypt (asks; without a terminal needs --yes)",
      },
      undeclared: { type: "boolean", description: "take NAME as the Cloudflare secret it names: no env-style convention, no \"did you mean\"" },
      yes: { type: "boolean", short: "y", description: "do not ask for confirmation (--replace-all)" },
    },
    examples: [
      "layer secret set STRIPE_SECRET --value-env STRIPE_SECRET",
      "printf '%s' \"$SESSION_KEY\" | layer secret set auth/session-key --from-stdin --env production",
      "layer secret set payments/webhook-key          # hidden prompt, asked twice",
      "layer secret set SESSION_KEY --value-env SESSION_KEYSET   # an envelope with versions",
    ],
    load: () => import("./commands/secret-set.js"),
  },
  {
    words: ["secret", "import"],
    summary: "write every secret of a .env, .dev.vars or JSON file, all or nothing",
    description: [
      "FILE is dotenv (KEY=value lines; `export KEY=value`; # comments; 'single' and `backtick` quotes literal; \"double\" quotes " +
        "with \\n \\r \\t \\\" \\\\; quoted values may span lines; ${VAR} is not expanded) or one JSON object of strings " +
        "(an object value is an envelope). CRLF line endings are read as LF. A BOM, a binary file, a duplicate key or an empty value is refused with its line.",
      "Each key is resolved exactly as `layer secret set NAME` resolves a name (a declared namespace/name, an adopted secretName, a bare name " +
        "of the default namespace; then, for an UPPER_SNAKE key no declaration uses by name, the env-style convention: AUTH__SESSION_KEY is " +
        "auth/session-key, and SESSION_KEY is the one declaration named session-key in any namespace (two such declarations is an error); " +
        "else a Cloudflare secret name). --map KEY=NAME overrides it.",
      "Every entry is checked before the first write (name, size, envelope, base64url for random and generated secrets): one bad entry " +
        "writes nothing. Then each is written as `secret set` writes it (declared secrets with their sealed record, crash-safe); " +
        "progress is shown on stderr. --dry-run lists the keys, their secrets, sizes, fingerprints and what happens to each version, never a value.",
      "Versions are kept as `secret set` keeps them: a plain value for a secret with a rotation policy becomes its next version; an entry " +
        "that would remove a version still readable refuses the whole import (versions_would_be_lost) unless --replace-all. " +
        "An undeclared key a small edit away from a declared name is refused with \"did you mean\" unless --undeclared.",
      "At a terminal it asks before writing unless --yes; without a terminal --yes is required.",
    ],
    positionals: [{ name: "FILE", required: false, description: "a .env, .dev.vars or JSON file (or --from-stdin)" }],
    flags: {
      "from-stdin": { type: "boolean", description: "read the file from stdin instead of FILE" },
      map: { type: "string", multiple: true, valueName: "KEY=NAME", description: "write KEY to NAME (a declared namespace/name or a Cloudflare secret name); repeatable" },
      plain: { type: "boolean", description: "store values literally even if they look like envelopes" },
      "dry-run": { type: "boolean", description: "show what would be written (names, sizes, fingerprints, versions) and write nothing" },
      yes: { type: "boolean", short: "y", description: "do not ask for confirmation" },
      "replace-all": { type: "boolean", description: "store each value exactly as given, removing versions that are still readable" },
      undeclared: { type: "boolean", description: "take keys no declaration claims exactly as Cloudflare secret names: no env-style convention, no \"did you mean\"" },
    },
    examples: [
      "layer secret import .env --dry-run",
      "layer secret import .dev.vars --env production --yes",
      "layer secret import secrets.json --map SESSION_KEY=auth/session-key --yes",
      "doppler secrets download --no-file --format env | layer secret import --from-stdin --yes",
    ],
    load: () => import("./commands/secret-import.js"),
  },
  {
    words: ["secret", "list"],
    summary: "list declared secrets and the secrets in the store, with their status",
    description: [
      "Statuses: present; missing (a random secret not created yet: `layer deploy` creates it); " +
        "external_value_required (a static or generated secret without a value: `layer secret set` it). " +
        "Secrets in the store that no declaration claims are listed with declared: false.",
    ],
    positionals: [],
    flags: {},
    examples: ["layer secret list", "layer secret list --env production --json"],
    load: () => import("./commands/secret-list.js"),
  },
  {
    words: ["secret", "delete"],
    summary: "delete a secret from the environment's store",
    description: [
      "Asks for confirmation at a terminal unless --yes; without a terminal --yes is required. " +
        "A declared secret (or Layeron's own sealing key) is refused unless --force, since the app reads it.",
    ],
    positionals: [{ name: "NAME", required: true, description: "declared namespace/name, or a Cloudflare secret name" }],
    flags: {
      yes: { type: "boolean", short: "y", description: "do not ask for confirmation" },
      force: { type: "boolean", description: "also delete a secret that a declaration uses" },
    },
    examples: ["layer secret delete OLD_TOKEN", "layer secret delete auth/session-key --force --yes --env dev"],
    load: () => import("./commands/secret-delete.js"),
  },
  {
    words: ["secret", "reset-local"],
    summary: "start a local environment afresh (after its key was lost with LAYERON_HOME)",
    description: [
      "Deletes the local environment's store, .layeron/local/<env>/: every local value, its sealing key and its rotation history. " +
        "This is the way out when LAYERON_HOME/local-store.key is gone (a new machine, a wiped LAYERON_HOME), since the old values " +
        "cannot be opened without it. Shared (Cloudflare) environments and committed files are not touched.",
      "Afterwards `layer deploy --env <env>` creates fresh random secrets; static and generated values are set again with " +
        "`layer secret set`. Asks for confirmation at a terminal; without one --yes is required.",
    ],
    positionals: [],
    flags: {
      yes: { type: "boolean", short: "y", description: "do not ask for confirmation" },
    },
    examples: ["layer secret reset-local --env dev", "layer secret reset-local --env dev --yes"],
    load: () => import("./commands/secret-reset-local.js"),
  },
  {
    words: ["secret", "rotate"],
    summary: "plan (default) or apply the rotations that are due",
    description: [
      "Covers every declaration with rotation.everyDays (random and generated secrets). The plan shows, per secret: " +
        "its status (due, not_due, missing, external_value_required, conflict), the last rotation, the next due time, " +
        "the versions a rotation keeps, gives an expiry or drops, and the envelope's size against Cloudflare's " +
        "65,536 bytes (a warning above 80 %). A plan exits 0 when nothing is due, 2 when rotations are due, 1 on an " +
        "error or a conflict.",
      "--apply writes the due rotations with the current time: a fresh random value of the declared size becomes the " +
        "current version and retained versions are carried as sealed copies from .layeron/secret-rotation/<env>/ " +
        "(nothing is read back from the store). It asks for confirmation at a terminal; without one --yes is required. " +
        "Exits 0 when every rotation was written, 1 when one failed (a rerun completes the rest).",
      "A conflict stops --apply before any write: the secret was written outside this state (--discard-history " +
        "rotates it now with a fresh envelope, dropping versions the state cannot see), or its rotation policy " +
        "changed since the last write (--accept-policy-change). docs/rotation.md explains the state files and crash safety.",
      "The committed state is checked against integrity anchors the store keeps (docs/security.md): a public key or state that " +
        "does not match refuses before anything is sealed or carried. After a person has checked the files, --re-anchor makes the " +
        "store vouch for them (prints both sides, asks unless --yes, logged in the rotation log).",
      "NAME… (a declared namespace/name or a secretName) limits the run to those secrets; --now makes them due whatever their " +
        "schedule (a leaked key: `layer secret rotate auth/session-key --now --apply --yes`). A static secret is the operator's: " +
        "write its new value with `layer secret set`. docs/incident.md is the runbook for a key's bad day.",
    ],
    positionals: [{ name: "NAME", required: false, variadic: true, description: "declared namespace/name or secretName to rotate (default: every declaration with rotation.everyDays)" }],
    flags: {
      apply: { type: "boolean", description: "write the due rotations (asks for confirmation unless --yes)" },
      yes: { type: "boolean", short: "y", description: "do not ask for confirmation with --apply" },
      at: { type: "string", valueName: "time", description: "plan as of this RFC 3339 time instead of now (not with --apply)" },
      "discard-history": { type: "boolean", description: "rotate secrets written elsewhere now, dropping the versions the state cannot see" },
      "accept-policy-change": { type: "boolean", description: "rotate under a rotation policy that changed since the last write" },
      concurrency: { type: "string", valueName: "n", description: "rotations in flight at once with --apply (1 to 32, default 4)" },
      now: { type: "boolean", description: "treat the selected secrets as due now, whatever their schedule" },
      "re-anchor": { type: "boolean", description: "after a person checked the state files: make the store's integrity anchors vouch for them (prints both fingerprints, asks unless --yes, logged)" },
    },
    examples: [
      "layer secret rotate --env production",
      "layer secret rotate --env production --apply --yes",
      "layer secret rotate --at 2026-07-01T00:00:00Z --json",
      "layer secret rotate --env production --apply --yes --discard-history",
      "layer secret rotate --env production --re-anchor",
      "layer secret rotate auth/session-key --env production --now --apply --yes",
    ],
    exitCodes: [
      ["0", "the plan has nothing due, or --apply wrote every rotation"],
      ["1", "an error or a conflict, or a rotation failed while applying (a rerun completes the rest)"],
      ["2", "the plan (without --apply) has rotations due"],
    ],
    load: () => import("./commands/secret-rotate.js"),
  },
  {
    words: ["secret", "revoke"],
    summary: "remove versions of a declared secret now (a leaked key's older version)",
    description: [
      "Removes each VERSION from the stored envelope, from the sealed copies in the rotation state and from the store's integrity " +
        "anchor, through the same write-ahead record as a rotation. Afterwards the runtime's version(id) answers unknown_version, " +
        "active() and the JWKS leave it out, and no rotation carries it again. The remaining versions are written as the sealed " +
        "copies the state holds (values are never read back), so the state must match the store (as for a rotation).",
      "The current version cannot be revoked: rotate first (`layer secret rotate NAME --now --apply --yes`), then revoke it. " +
        "A rerun after an interrupted revoke finds the versions already revoked and exits 0. Asks at a terminal unless --yes; " +
        "without a terminal --yes is required. docs/incident.md is the runbook.",
    ],
    positionals: [
      { name: "NAME", required: true, description: "declared namespace/name or secretName" },
      { name: "VERSION", required: true, variadic: true, description: "version ids to remove (`layer secret versions NAME` lists them)" },
    ],
    flags: {
      yes: { type: "boolean", short: "y", description: "do not ask for confirmation" },
    },
    examples: ["layer secret revoke auth/session-key v3 --env production", "layer secret revoke auth/token-key v2 v3 --env production --yes --json"],
    load: () => import("./commands/secret-revoke.js"),
  },
  {
    words: ["secret", "pack"],
    summary: "move an environment's values into packs, past the 100-secret quota (after packing: true)",
    description: [
      "For a Cloudflare environment with `packing: true` in layeron.config.ts: keeps its declarations in as few physical secrets " +
        "as 64 KiB allows (packs), each member's versions carried as the sealed copies the rotation state holds (values are never " +
        "read back; every copy is checked against the store's anchors first). The assignment is recorded in " +
        ".layeron/secret-rotation/<env>/packs.json (commit it): a new declaration joins a pack with room, the others never move.",
      "Without --apply it prints the plan and writes nothing. --apply, in an order where a running Worker can always read every " +
        "secret: 1. writes the packs, 2. redeploys (the Secret Product Worker binds the packs), 3. only then deletes the members' " +
        "old secrets. A rerun after an interruption picks up where it stopped. Asks at a terminal unless --yes; without one --yes " +
        "is required. `layer doctor` shows what packing would save.",
    ],
    positionals: [],
    flags: {
      apply: { type: "boolean", description: "write the packs, redeploy, then delete the old secrets (asks unless --yes)" },
      yes: { type: "boolean", short: "y", description: "do not ask for confirmation with --apply" },
    },
    examples: ["layer secret pack --env production", "layer secret pack --env production --apply --yes --json"],
    load: () => import("./commands/secret-pack.js"),
  },
  {
    words: ["secret", "unpack"],
    summary: "move a packed environment's values back to one secret each (after removing packing: true)",
    description: [
      "The way back from `layer secret pack`, for an environment whose config no longer says `packing: true`: each member is " +
        "written to its own lo_ secret from the sealed copies in the rotation state (versions unchanged), through its write-ahead " +
        "record. Without --apply it prints the plan and writes nothing. --apply: 1. writes the members' secrets, 2. redeploys, " +
        "3. only then deletes the packs. It needs room in the account's quota for one secret per member.",
    ],
    positionals: [],
    flags: {
      apply: { type: "boolean", description: "write the members' secrets, redeploy, then delete the packs (asks unless --yes)" },
      yes: { type: "boolean", short: "y", description: "do not ask for confirmation with --apply" },
    },
    examples: ["layer secret unpack --env production", "layer secret unpack --env production --apply --yes"],
    load: () => import("./commands/secret-unpack.js"),
  },
  {
    words: ["secret", "versions"],
    summary: "list a declared secret's versions, newest first",
    description: [
      "One line per version: id, state (current; next: a key pair's published next key; retained: still readable by id and in " +
        "active() until its expiry; expired: no longer read, dropped at the next write), createdAt, expiresAt, and the fingerprint " +
        "recorded when the version was written (HMAC under the writer's own key in LAYERON_HOME, so it matches `secret set`'s only " +
        "for that person; - when unknown). Read from the rotation state; values are never read.",
    ],
    positionals: [{ name: "NAME", required: true, description: "declared namespace/name or secretName" }],
    flags: {},
    examples: ["layer secret versions auth/session-key", "layer secret versions auth/token-key --env production --json"],
    load: () => import("./commands/secret-versions.js"),
  },
  {
    words: ["deploy"],
    summary: "create missing random secrets, bind every secret and deploy the backends",
    description: [
      "Plans a graph of nodes (the store, the sealing key, each declared secret, the Secret Product Worker, each backend's Worker), " +
        "each with a status: ready, create, created, external_value_required (a static or generated secret without a value: " +
        "the node's command writes it), conflict or error. --dry-run prints it and writes nothing.",
      "Applying creates random secrets (v1, sealed copy recorded) and the sealing key on first deploy; nothing present is rewritten. " +
        "On Cloudflare the Secret Product Worker is uploaded with a binding per secret that holds a value, then each app Worker " +
        "with its LAYERON_SECRET service binding; an unchanged Worker is not uploaded again. Local environments upload nothing: " +
        "`layer dev` runs them. Bundles and a wrangler.jsonc per Worker are written to .layeron/deploy/<env>/.",
      "Exits 0 when every node is ready, created or external_value_required; 1 on a conflict or an error (a plan with one writes nothing; " +
        "a failure while applying keeps what was done, and deploying again continues). At a terminal a Cloudflare deploy asks first unless --yes.",
      "Without a terminal (CI, a pipe) a Cloudflare deploy refuses unless --yes (or --dry-run), as secret delete, secret import and secret rotate --apply do. " +
        "A deploy to a local environment never asks: it writes nothing shared.",
      "--product-only deploys the secrets and the Secret Product Worker alone, not the backends' Workers: for a Worker that wrangler deploys. " +
        "It prints the service binding to add to that Worker's wrangler.jsonc (`services`: LAYERON_SECRET → <project>-secret-<env>, entrypoint SecretProduct, props { backend: <its backend id> }), one per backend: each backend is served only the secrets it registers; " +
        "the backend entry listed in layeron.config.ts only needs to declare its secrets (see docs/guide.md, \"Your own Worker\").",
    ],
    positionals: [],
    flags: {
      "dry-run": { type: "boolean", description: "show the plan and write nothing" },
      yes: { type: "boolean", short: "y", description: "do not ask for confirmation" },
      "product-only": { type: "boolean", description: "deploy the secrets and the Secret Product Worker only, and print the service binding for your own Worker" },
    },
    examples: ["layer deploy --env production", "layer deploy --env production --dry-run --json", "layer deploy --env production --product-only --yes"],
    exitCodes: [
      ["0", "every node is ready, created or external_value_required"],
      ["1", "a node is in conflict or error (a plan with one writes nothing), or another error"],
    ],
    load: () => import("./commands/deploy.js"),
  },
  {
    words: ["doctor"],
    summary: "check an environment against Cloudflare's limits and the project's rules",
    description: [
      "Reads only. Reports: the credentials and the permissions reads confirmed (Edit can only be confirmed by writing); " +
        "secrets used of the account's quota; each envelope's size against Cloudflare's 65,536 bytes (and the dashboard editor's " +
        "1,024 characters); lo_ secrets no declaration names; product Worker bindings that point at missing or pending secrets; " +
        "the anchors of the state-integrity check (not checked in this build).",
      "Each check is ok, warning, action or not_checked. Exits 1 when a check needs action.",
    ],
    positionals: [],
    flags: {},
    examples: ["layer doctor --env production", "layer doctor --env production --json"],
    load: () => import("./commands/doctor.js"),
  },
  {
    words: ["dev"],
    summary: "run the backends locally in workerd against the local secret store",
    description: [
      "Runs each backend's Worker and the Secret Product Worker in workerd (miniflare), with a Secrets Store held in memory, loaded from the " +
        "environment's encrypted local store. The first backend answers on 127.0.0.1:<port>, further ones on the next ports (--port 0: any free ports).",
      "Secret writes (secret set, secret rotate --apply, deploy) are loaded without a restart; editing a backend's source re-imports, " +
        "re-bundles and swaps the Workers in place; requests that arrive meanwhile wait for the new build, none is refused. " +
        "Ctrl-C, SIGTERM or SIGHUP stop it (exit 0). Only local environments can run here.",
      "Requests whose Host is not a local name get 403 (a web page cannot reach dev routes through DNS rebinding); --allow-host adds names. " +
        "workerd starts without Cloudflare credentials or any other variable of yours besides PATH, locale and temp dirs.",
    ],
    positionals: [],
    flags: {
      port: { type: "string", valueName: "port", description: "port to listen on (default 8787; 0 for any free port)" },
      "allow-host": {
        type: "string",
        multiple: true,
        valueName: "name",
        description: "also answer requests for this Host name (default: only localhost, *.localhost, 127.0.0.1 and [::1]); repeatable",
      },
    },
    examples: ["layer dev", "layer dev --port 9000", "layer dev --allow-host dev.myapp.test"],
    load: async () => {
      // Before anything imports miniflare (an optional peer dependency): one clear message if it is missing or mismatched.
      const { checkMiniflare, findMiniflare } = await import("./deploy/dev/miniflare-support.js")
      checkMiniflare(findMiniflare())
      return import("./commands/dev.js")
    },
  },
  {
    words: ["completion"],
    summary: "print a shell completion script (bash, zsh or fish)",
    description: [
      "Completes commands, their flags and --env's environment names. Install it once: " +
        "bash: `layer completion bash > ~/.local/share/bash-completion/completions/layer`; " +
        "zsh: `layer completion zsh > \"${fpath[1]}/_layer\"` (then restart the shell); " +
        "fish: `layer completion fish > ~/.config/fish/completions/layer.fish`.",
    ],
    positionals: [{ name: "SHELL", required: true, description: "bash, zsh or fish" }],
    flags: {},
    examples: ["layer completion bash > ~/.local/share/bash-completion/completions/layer", "source <(layer completion bash)"],
    load: () => import("./commands/completion.js"),
  },
  {
    words: ["init"],
    summary: "start a project: layeron.config.ts, a backend, package.json, tsconfig.json, .gitignore",
    description: [
      "Writes into DIR (default: the current directory) the files a new project needs: layeron.config.ts (a local dev " +
        "environment), src/<backend>.ts declaring one random secret, package.json (type module, @layeron/core, @layeron/modules, " +
        "@layeron/cli, tsx, miniflare, scripts dev, deploy, test and typecheck), tsconfig.json and a .gitignore that keeps local what must stay local (.layeron/local/, " +
        ".layeron/locks/, .layeron/deploy/) while .layeron/secret-rotation/ stays committed.",
      "An existing file is never overwritten: it is kept and named in the output. An existing package.json gets what it lacks " +
        "(\"type\": \"module\", the scripts, the dependencies, allowScripts), never a changed key, and the output says what was added; " +
        "a CommonJS or read-only package.json is refused. A folder that already has a layeron.config.* " +
        "or cannot be written is refused, and nothing is written. The workspace and name come from --workspace and --name, " +
        "else a prompt at a terminal, else the folder's name (--yes takes the defaults without asking).",
      "The @layeron dependencies follow how this CLI was installed (the registry, npm run pack's tarballs, or a checkout); tsx, " +
        "typescript, Node's types and the miniflare that runs on this Node are declared too, and tsconfig.json checks src/ and test/ for a Worker.",
    ],
    positionals: [{ name: "DIR", required: false, description: "the project folder (created if missing; default .)" }],
    flags: {
      workspace: { type: "string", valueName: "name", description: "the workspace part of physical names (your team or company)" },
      name: { type: "string", valueName: "name", description: "the project's name (default: the folder's name)" },
      yes: { type: "boolean", short: "y", description: "take the defaults without asking" },
    },
    examples: ["layer init my-app --workspace acme", "layer init --yes", "layer init api --workspace acme --name shop --json"],
    load: () => import("./commands/init.js"),
  },
]
