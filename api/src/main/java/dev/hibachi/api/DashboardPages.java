package dev.hibachi.api;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Error;
import io.micronaut.http.annotation.Get;
import io.swagger.v3.oas.annotations.Hidden;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Set;

/**
 * The dashboard's deep links. Its pages are path URLs ({@code /ui/jobs/backup}) that exist only in the browser:
 * the files under {@code /ui/} are served as static resources, and a GET under {@code /ui/} that finds no file
 * answers the dashboard's {@code index.html}, which then shows the page the path names. A missing asset (a path
 * whose last segment ends in a file extension the dashboard uses) stays a 404, so a broken script reference
 * shows as one. Every other miss keeps the API's JSON 404.
 */
@Controller
@Hidden
public final class DashboardPages {
    private static final String PREFIX = "/ui/";
    private static final String INDEX = "ui/index.html";
    // Extensions of files, not of pages: an execution id may end in ".example.com" (its node's name).
    private static final Set<String> ASSET_EXTENSIONS = Set.of("js", "mjs", "css", "map", "json", "html", "htm",
            "txt", "png", "jpg", "jpeg", "gif", "svg", "ico", "webp", "avif", "woff", "woff2", "ttf", "otf", "wasm",
            "webmanifest");

    /** {@code /ui} to {@code /ui/}, relative so that it holds behind a reverse proxy's path prefix. */
    @Get("/ui")
    public HttpResponse<?> root() {
        return HttpResponse.status(HttpStatus.MOVED_PERMANENTLY).header("Location", "ui/");
    }

    @Error(status = HttpStatus.NOT_FOUND, global = true)
    public HttpResponse<byte[]> notFound(HttpRequest<?> request) {
        String path = request.getPath();
        if (request.getMethodName().equals("GET") && path.startsWith(PREFIX) && !isAsset(path)) {
            byte[] index = index();
            if (index != null) {
                // Cached copies of the page would outlive an upgrade's new asset names.
                return HttpResponse.ok(index).contentType(MediaType.TEXT_HTML + ";charset=utf-8")
                        .header("Cache-Control", "no-cache");
            }
        }
        return Responses.error(404, "no such route: " + request.getMethodName() + " " + path, null);
    }

    private static boolean isAsset(String path) {
        String last = path.substring(path.lastIndexOf('/') + 1);
        int dot = last.lastIndexOf('.');
        return dot >= 0 && ASSET_EXTENSIONS.contains(last.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private static byte[] index() {
        try (InputStream in = DashboardPages.class.getClassLoader().getResourceAsStream(INDEX)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the dashboard's " + INDEX, e);
        }
    }
}
