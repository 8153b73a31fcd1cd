/** A DNS label (RFC 1123): the shape of environment, team and resource names. */
export const DNS_LABEL_PATTERN = '^[a-z]([-a-z0-9]*[a-z0-9])?$';
