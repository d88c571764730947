"""The static web server a static site's image runs instead of its build runtime.

A standard-library Go program (no module downloads), compiled statically in a bake target
of its own (`bakegen-static-server`, docker/static-server.Dockerfile) from
`STATIC_SERVER_BUILD_IMAGE` (a golang image) and copied into each site's image FROM scratch
with the site: a few MB in all, running as the non-root uid. It serves `/site` on `$PORT`
(8080 by default) and answers
- a file, or a folder's index.html;
- `/about` from `about.html` (Next.js export, Astro, Docusaurus write pages like that);
- in a single-page app (no 404.html at the site's root), `index.html` for any other path
  without a file extension, so client-side routes load; a missing `/assets/x.js` stays 404;
- otherwise the site's `404.html` with status 404.

`SPA_FALLBACK=on|off` overrides the guess at run time; `static-server -probe PATH` is the
image's HEALTHCHECK. The whole server can be swapped: `STATIC_SERVER_BUILD_IMAGE` names the
image it is built from, and `cmd`/`dockerfile` in the config replace it outright.
"""

from __future__ import annotations

from bakegen.ecosystems.base import Stage, ToolTarget
from bakegen.ecosystems.instructions import exec_form, sh_quote

BUILD_IMAGE_VARIABLE = "STATIC_SERVER_BUILD_IMAGE"
#: a tag that exists upstream and in the kit's stand-ins alike
BUILD_IMAGE = "golang:1-bookworm"
STAGE = "static-server"
#: its bake target, and the named context a site's Dockerfile copies the server from
TARGET = "bakegen-static-server"
DOCKERFILE = "docker/static-server.Dockerfile"
SITE_STAGE = "site"
BINARY = "/static-server"
SITE_DIR = "/site"
DEFAULT_PORT = 8080
#: where a build leaves a static site, in the order they are tried (the first holding an
#: index.html wins)
OUTPUT_DIRS = ("dist", "build", "out")

# No single quotes in these lines: they are written with printf '%s\n' '<line>' ...
_SOURCE = (
    '// bakegen static-server: serves SITE_ROOT (default /site) on $PORT (default 8080).',
    '// SPA_FALLBACK=auto|on|off: auto answers index.html for extension-less paths that match',
    '// no file when the site has no 404.html (a single-page app); "static-server -probe PATH"',
    '// is the HEALTHCHECK.',
    'package main',
    '',
    'import (',
    '    "context"',
    '    "fmt"',
    '    "io"',
    '    "net/http"',
    '    "os"',
    '    "os/signal"',
    '    "path"',
    '    "path/filepath"',
    '    "strings"',
    '    "syscall"',
    '    "time"',
    ')',
    '',
    'func env(name, fallback string) string {',
    '    if v := os.Getenv(name); v != "" {',
    '        return v',
    '    }',
    '    return fallback',
    '}',
    '',
    'func isFile(name string) bool {',
    '    info, err := os.Stat(name)',
    '    return err == nil && !info.IsDir()',
    '}',
    '',
    'func exists(root, clean string) bool {',
    '    info, err := os.Stat(filepath.Join(root, clean))',
    '    if err != nil {',
    '        return false',
    '    }',
    '    return !info.IsDir() || isFile(filepath.Join(root, clean, "index.html"))',
    '}',
    '',
    'func probe(port, target string) int {',
    '    client := http.Client{Timeout: 4 * time.Second}',
    '    resp, err := client.Get("http://127.0.0.1:" + port + target)',
    '    if err != nil {',
    '        return 1',
    '    }',
    '    resp.Body.Close()',
    '    if resp.StatusCode >= 400 {',
    '        return 1',
    '    }',
    '    return 0',
    '}',
    '',
    'func handler(root string, spa bool) http.Handler {',
    '    files := http.FileServer(http.Dir(root))',
    '    notFound := filepath.Join(root, "404.html")',
    '    return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {',
    '        w.Header().Set("X-Content-Type-Options", "nosniff")',
    '        clean := path.Clean("/" + r.URL.Path)',
    '        if strings.HasSuffix(clean, ".html") || path.Ext(clean) == "" {',
    '            w.Header().Set("Cache-Control", "no-cache")',
    '        }',
    '        switch {',
    '        case exists(root, clean):',
    '            files.ServeHTTP(w, r)',
    '        case path.Ext(clean) == "" && isFile(filepath.Join(root, clean+".html")):',
    '            r.URL.Path = clean + ".html"',
    '            files.ServeHTTP(w, r)',
    '        case spa && path.Ext(clean) == "" && isFile(filepath.Join(root, "index.html")):',
    '            http.ServeFile(w, r, filepath.Join(root, "index.html"))',
    '        case isFile(notFound):',
    '            page, err := os.Open(notFound)',
    '            if err != nil {',
    '                http.NotFound(w, r)',
    '                return',
    '            }',
    '            defer page.Close()',
    '            w.Header().Set("Content-Type", "text/html; charset=utf-8")',
    '            w.WriteHeader(http.StatusNotFound)',
    '            io.Copy(w, page)',
    '        default:',
    '            http.NotFound(w, r)',
    '        }',
    '    })',
    '}',
    '',
    'func main() {',
    '    port := env("PORT", "8080")',
    '    if len(os.Args) > 1 && os.Args[1] == "-probe" {',
    '        target := "/"',
    '        if len(os.Args) > 2 {',
    '            target = os.Args[2]',
    '        }',
    '        os.Exit(probe(port, target))',
    '    }',
    '    root := env("SITE_ROOT", "/site")',
    '    mode := env("SPA_FALLBACK", "auto")',
    '    spa := mode == "on" || (mode == "auto" && !isFile(filepath.Join(root, "404.html")))',
    '    server := &http.Server{Addr: ":" + port, Handler: handler(root, spa),',
    '        ReadHeaderTimeout: 10 * time.Second}',
    '    go func() {',
    '        stop := make(chan os.Signal, 1)',
    '        signal.Notify(stop, syscall.SIGTERM, os.Interrupt)',
    '        <-stop',
    '        ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)',
    '        defer cancel()',
    '        server.Shutdown(ctx)',
    '    }()',
    '    fmt.Printf("static-server: %s on :%s (spa fallback %v)\\n", root, port, spa)',
    '    if err := server.ListenAndServe(); err != nil && err != http.ErrServerClosed {',
    '        fmt.Fprintln(os.Stderr, "static-server:", err)',
    '        os.Exit(1)',
    '    }',
    '}',
)


def tool() -> ToolTarget:
    """The server's own target: compiled once per bake, beside the bases (a stage of each
    site's Dockerfile would start only after deps-base), into an image holding the binary."""
    return ToolTarget(
        name=TARGET,
        dockerfile=DOCKERFILE,
        description="bakegen's static web server, which every static site's image runs.",
        stages=(server_stage(), Stage(name="server", base="scratch",
                                      instructions=(f"COPY --from={STAGE} {BINARY} {BINARY}",))),
        image_args=((BUILD_IMAGE_VARIABLE, BUILD_IMAGE),),
    )


def server_stage() -> Stage:
    """Compile the server: std-lib only, static (CGO off), stripped; natively on the
    builder's platform, cross-compiled for the image's (no emulation for arm64)."""
    source = " \\\n    ".join(f"'{line}'" for line in _SOURCE)
    run = (
        "RUN --mount=type=cache,target=/root/.cache/go-build \\\n"
        f"    printf '%s\\n' \\\n    {source} \\\n    > main.go \\\n"
        " && GOOS=$TARGETOS GOARCH=$TARGETARCH"
        " go build -trimpath -ldflags=-s -o /static-server main.go"
    )
    return Stage(name=STAGE, base=f"--platform=$BUILDPLATFORM ${{{BUILD_IMAGE_VARIABLE}}}",
                 instructions=("ARG TARGETOS", "ARG TARGETARCH", "WORKDIR /src",
                               "ENV CGO_ENABLED=0 GOTOOLCHAIN=local", run))


def site_stage(folder: str, dirs: tuple[str, ...] = OUTPUT_DIRS) -> Stage:
    """Take the built site out of the build stage: the first of `dirs` (relative to the
    package's folder) that holds an index.html; the build fails saying so when none does."""
    tried = ", ".join(f"{d}/" for d in dirs)
    folder_text = folder.replace('"', "").replace("$", "").replace("`", "")
    loop = (
        f"RUN cd {sh_quote(folder)} \\\n"
        f" && for d in {' '.join(dirs)}; do \\\n"
        f'      if [ -f "$d/index.html" ]; then mkdir -p {SITE_DIR} \\\n'
        f'        && cp -a "$d/." {SITE_DIR}/ \\\n'
        f"        && chmod -R a+rX {SITE_DIR} && echo \"static site: $d/\" && exit 0; fi; \\\n"
        "    done \\\n"
        f' && echo "no index.html in {tried} of {folder_text} after the build" >&2 && exit 1'
    )
    return Stage(name=SITE_STAGE, base="build", instructions=(loop,))


def runtime(port: int | None) -> tuple[str, ...]:
    """The final stage's copies (it starts FROM scratch); the default port when none is set."""
    lines = [
        f"COPY --from={TARGET} {BINARY} {BINARY}",
        f"COPY --from={SITE_STAGE} {SITE_DIR}/ {SITE_DIR}/",
    ]
    if port is None:
        lines.append(f"EXPOSE {DEFAULT_PORT}")
    return tuple(lines)


def command() -> tuple[str, ...]:
    return (BINARY,)


def probe(path: str = "/") -> str:
    """HEALTHCHECK: the server asking itself (scratch has no shell, so exec form)."""
    return exec_form((BINARY, "-probe", path))
