package dev.hibachi.api;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.swagger.v3.oas.annotations.Hidden;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Set;

/**
 * The dashboard under {@code /ui/}: its files, and its deep links. Its pages are path URLs ({@code /ui/jobs/backup})
 * that exist only in the browser, so a path that names no file answers the dashboard's {@code index.html}, which
 * then shows the page the path names. A missing asset (a path whose last segment ends in a file extension the
 * dashboard uses) stays a 404, so a broken script reference shows as one.
 *
 * <p>One route serves both, instead of a global 404 handler: Micronaut hands every 404 to such a handler, the
 * API's own answers ("job not found") included.
 */
@Controller
@Hidden
public final class DashboardPages {
    private static final String ROOT = "ui/";
    private static final String INDEX = ROOT + "index.html";
    // Extensions of files, not of pages: an execution id may end in ".example.com" (its node's name).
    private static final Set<String> ASSET_EXTENSIONS = Set.of("js", "mjs", "css", "map", "json", "html", "htm",
            "txt", "png", "jpg", "jpeg", "gif", "svg", "ico", "webp", "avif", "woff", "woff2", "ttf", "otf", "wasm",
            "webmanifest");

    /**
     * {@code /ui} to {@code /ui/}, relative so that it holds behind a reverse proxy's path prefix. The router matches
     * {@code /ui/} here too (it ignores a trailing slash): that one is the dashboard itself, never redirected (a
     * redirect to {@code ui/} from {@code /ui/} would go to {@code /ui/ui/}).
     */
    @Get("/ui")
    public HttpResponse<?> root(HttpRequest<?> request) {
        if (request.getPath().endsWith("/")) {
            return indexPage();
        }
        return HttpResponse.status(HttpStatus.MOVED_PERMANENTLY).header("Location", "ui/");
    }

    @Get("/ui/{+path}")
    public HttpResponse<?> file(@PathVariable String path) {
        boolean outside = path.contains("\\") || ("/" + path + "/").contains("/../") || path.startsWith("/");
        byte[] file = outside ? null : read(ROOT + path);
        if (file != null) {
            return HttpResponse.ok(file).contentType(MediaType.forFilename(path));
        }
        if (outside || isAsset(path)) {
            return Responses.error(404, "no such file: /ui/" + path, null);
        }
        return indexPage();
    }

    /** The dashboard's page; cached copies would outlive an upgrade's new asset names. */
    private static HttpResponse<?> indexPage() {
        byte[] index = read(INDEX);
        if (index == null) {
            return Responses.error(404, "this build has no dashboard", null);
        }
        return HttpResponse.ok(index).contentType(MediaType.TEXT_HTML + ";charset=utf-8")
                .header("Cache-Control", "no-cache");
    }

    private static boolean isAsset(String path) {
        String last = path.substring(path.lastIndexOf('/') + 1);
        int dot = last.lastIndexOf('.');
        return dot >= 0 && ASSET_EXTENSIONS.contains(last.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /** A file of the dashboard, or null; a folder is no file. */
    private static byte[] read(String resource) {
        if (resource.endsWith("/")) {
            return null;
        }
        try (InputStream in = DashboardPages.class.getClassLoader().getResourceAsStream(resource)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            // A folder inside a jar opens but cannot be read: no file.
            return null;
        }
    }
}
