package stream.http;

import java.io.IOException;
import java.util.List;
import stream.core.FieldError;
import stream.core.SecretMasker;
import stream.core.StreamConflictException;
import stream.core.ValidationException;

/** The outermost filter: turns every failure into the contract's error object, never a stack trace or a secret. */
public final class ErrorFilter implements Filter {
    private final System.Logger log = System.getLogger("stream.http");

    @Override
    public void filter(HttpCall call, Handler next) throws IOException {
        try {
            next.handle(call);
        } catch (stream.http.server.NeedsWorkerThread e) {
            throw e; // not a failure: the server runs the call again on a worker
        } catch (HttpError e) {
            answer(call, e.status(), e.getMessage(), e.errors());
        } catch (ValidationException e) {
            answer(call, 400, "Invalid input: nothing was changed", e.errors());
        } catch (StreamConflictException e) {
            answer(call, 409, e.getMessage(), List.of());
        } catch (RuntimeException e) {
            log.log(System.Logger.Level.ERROR, "internal error on " + call.method() + " " + call.path() + ": "
                    + SecretMasker.forSecrets(List.of()).mask(String.valueOf(e)));
            answer(call, 500, "Internal error; see the appliance's logs", List.of());
        }
    }

    /** Its answers are made from the exception alone. */
    @Override
    public boolean decidesWithoutWaiting(HttpCall call) {
        return true;
    }

    static void answer(HttpCall call, int status, String message, List<FieldError> errors) throws IOException {
        if (call.answered()) {
            return;
        }
        call.json(status, HttpError.body(message, errors));
    }
}
