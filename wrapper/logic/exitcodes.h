/* exitcodes.h - cgijail's own exit statuses (the script's status is its own). */
#ifndef CGIJAIL_EXITCODES_H
#define CGIJAIL_EXITCODES_H

#define CGIJAIL_EXIT_REFUSED 120 /* a request check refused the request */
#define CGIJAIL_EXIT_CONFIG 121  /* policy missing, unsafe or invalid */
#define CGIJAIL_EXIT_BUSY 122    /* [tenant] concurrency reached: 503 sent */
#define CGIJAIL_EXIT_PRIV 123    /* privilege switch failed: nothing ran */
#define CGIJAIL_EXIT_SANDBOX 124 /* a required sandbox layer failed: nothing ran */
#define CGIJAIL_EXIT_EXEC 127    /* the interpreter could not be executed */

#endif
