// Prism's router and validators run inside a promise chain that nobody awaits: if one throws, the
// request is never answered and Node ends the process on the unhandled rejection. A malformed
// %-escape in the path (`/api/v2/webhooks/%ZZ/rotate`) does exactly that in Prism 5.12's validator.
// These wrappers turn a throw into an ordinary Prism outcome, so bad input gets a 4xx and the server
// stays up.

import { ProblemJsonError } from "@stoplight/prism-http";
import routeModule from "@stoplight/prism-http/dist/router/index.js";
import { validateInput, validateSecurity } from "@stoplight/prism-http/dist/validator/index.js";
import type { Diagnostic, RouteComponent, ValidatorComponent } from "./prism-types.js";

// A CommonJS module with `exports.default`: under NodeNext the import binds to module.exports.
const route: RouteComponent = routeModule.default;

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export const guardedRoute: RouteComponent = (options) => {
  try {
    return route(options);
  } catch (error) {
    return {
      _tag: "Left",
      left: new ProblemJsonError(
        "about:blank",
        "Bad Request",
        400,
        `The request path cannot be routed (${reasonOf(error)}).`,
      ),
    };
  }
};

function guardValidator(validate: ValidatorComponent, what: string): ValidatorComponent {
  return (options) => {
    try {
      return validate(options);
    } catch (error) {
      // An error-level diagnostic makes Prism answer with the operation's documented 422 (or 400).
      const diagnostic: Diagnostic = {
        code: "unparsable",
        message: `The request ${what} cannot be parsed (${reasonOf(error)}).`,
        severity: 0, // DiagnosticSeverity.Error
        path: [what],
      };
      return { _tag: "Left", left: [diagnostic] };
    }
  };
}

export const guardedValidateInput = guardValidator(validateInput, "path, query, headers or body");
// Prism's factory only looks at the Left side of the security check; the Right type is narrower.
export const guardedValidateSecurity = guardValidator(
  validateSecurity as unknown as ValidatorComponent,
  "credentials",
);
