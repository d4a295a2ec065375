/** Internal shorthand for {@link OnPremErrorCodes}. */
import { OnPremErrorCodes } from '../errors';

export const ONPREM_ERRORS = OnPremErrorCodes;
