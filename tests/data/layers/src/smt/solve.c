/* fixture: smt reaching into nn, against the DAG */
#include "smug/forward.h"
