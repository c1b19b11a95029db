// msgpackr requires this module inside try/catch and decodes in pure JavaScript when it throws.
throw new Error('msgpackr-extract is replaced by a stub in this project (see tools/msgpackr-extract-none)');
