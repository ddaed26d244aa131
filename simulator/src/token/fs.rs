//! The file system: a tree of DFs, transparent EFs and Rutoken internal objects (RSFs: PINs and
//! keys), addressed by paths of FIDs below the MF (`rutoken-ecp-apdu.md` §3, §5).

use serde::{Deserialize, Serialize};

use super::key::KeyObject;
use super::pin::PinObject;

/// FID of the MF.
pub const MF_FID: u16 = 0x3F00;
/// `3F00/1000/1000`: SysKey, the DF holding the RSF class DFs (`pkcs15-rtecp.c` `create_sysdf`).
pub const SYS_KEY_DF: [u16; 2] = [0x1000, 0x1000];
/// `…/6001`: public key objects (class 13/33) are filed here (§4 CREATE FILE).
pub const PUBLIC_KEY_DF: [u16; 3] = [0x1000, 0x1000, 0x6001];
/// `…/6002`: private key objects (class 03/23) are filed here (§4 CREATE FILE).
pub const PRIVATE_KEY_DF: [u16; 3] = [0x1000, 0x1000, 0x6002];
/// `…/6003` (SKey, `pkcs15-rtecp.c` `create_sysdf`): GOST 28147-89 secret-key objects (class
/// `token.secret_key_class`) are filed here [GUESS: OpenSC creates the DF and never fills it].
pub const SECRET_KEY_DF: [u16; 3] = [0x1000, 0x1000, 0x6003];
/// `…/6005` (LCHV): PIN objects (class 01) are filed here [GUESS, §4].
pub const PIN_DF: [u16; 3] = [0x1000, 0x1000, 0x6005];

/// FCP descriptor byte (tag 82) of a DF.
pub const DESC_DF: u8 = 0x38;
/// FCP descriptor byte of a transparent EF.
pub const DESC_EF: u8 = 0x01;
/// FCP descriptor byte of a Rutoken internal object (RSF).
pub const DESC_RSF: u8 = 0x10;

/// One file.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Node {
    /// The file identifier (tag 83).
    pub fid: u16,
    /// The size announced at creation (tag 80): EF capacity, RSF size, DF nominal size.
    pub size: u16,
    /// The security attribute (tag 86).
    pub sec: [u8; 15],
    /// Proprietary attributes (tag 85) as created; PIN objects render their live counter.
    #[serde(default)]
    pub prop: Vec<u8>,
    /// What the file holds.
    pub body: Body,
}

/// File contents by type.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Body {
    /// A dedicated file and its children, in creation order (the list-files order).
    Df {
        /// Children in creation order.
        children: Vec<Node>,
    },
    /// A transparent EF.
    Ef {
        /// Exactly `size` bytes.
        data: Vec<u8>,
    },
    /// A PIN object (RSF class 01).
    Pin(PinObject),
    /// A key object (RSF class 03/13).
    Key(KeyObject),
}

impl Node {
    /// A new empty DF.
    pub fn df(fid: u16, size: u16, sec: [u8; 15]) -> Node {
        Node {
            fid,
            size,
            sec,
            prop: Vec::new(),
            body: Body::Df {
                children: Vec::new(),
            },
        }
    }
    /// A new EF of `size` zero bytes.
    pub fn ef(fid: u16, size: u16, sec: [u8; 15]) -> Node {
        Node {
            fid,
            size,
            sec,
            prop: Vec::new(),
            body: Body::Ef {
                data: vec![0; usize::from(size)],
            },
        }
    }
    /// The FCP descriptor byte.
    pub fn descriptor(&self) -> u8 {
        match self.body {
            Body::Df { .. } => DESC_DF,
            Body::Ef { .. } => DESC_EF,
            Body::Pin(_) | Body::Key(_) => DESC_RSF,
        }
    }
    /// True for a DF.
    pub fn is_df(&self) -> bool {
        matches!(self.body, Body::Df { .. })
    }
    /// The children of a DF (empty for others).
    pub fn children(&self) -> &[Node] {
        match &self.body {
            Body::Df { children } => children,
            _ => &[],
        }
    }
    /// The children of a DF, mutable.
    pub fn children_mut(&mut self) -> Option<&mut Vec<Node>> {
        match &mut self.body {
            Body::Df { children } => Some(children),
            _ => None,
        }
    }
    /// Files `child` among the children of `siblings`, kept in FID order (the list-files order of
    /// the traces). Callers have refused a FID already present (6A89), so the search's `Ok` and
    /// `Err` name the same place.
    pub fn insert_in_order(siblings: &mut Vec<Node>, child: Node) {
        let (Ok(at) | Err(at)) = siblings.binary_search_by_key(&child.fid, |c| c.fid);
        siblings.insert(at, child);
    }
    /// The direct child with this FID.
    pub fn child(&self, fid: u16) -> Option<&Node> {
        self.children().iter().find(|c| c.fid == fid)
    }
    /// Bytes this file (and its subtree) occupy in the token's memory.
    pub fn footprint(&self) -> u32 {
        match &self.body {
            Body::Df { children } => children.iter().map(Node::footprint).sum(),
            // An EF holds at most 65 535 bytes (its size is a u16); were it ever longer, count it
            // as filling the memory, so CREATE refuses rather than overcommits.
            Body::Ef { data } => u32::try_from(data.len()).unwrap_or(u32::MAX),
            Body::Pin(_) | Body::Key(_) => u32::from(self.size),
        }
    }
}

/// The node at `path` (FIDs below the MF; empty = the MF).
pub fn node_at<'a>(mf: &'a Node, path: &[u16]) -> Option<&'a Node> {
    let mut node = mf;
    for fid in path {
        node = node.child(*fid)?;
    }
    Some(node)
}

/// The node at `path`, mutable.
pub fn node_at_mut<'a>(mf: &'a mut Node, path: &[u16]) -> Option<&'a mut Node> {
    let mut node = mf;
    for fid in path {
        node = node.children_mut()?.iter_mut().find(|c| c.fid == *fid)?;
    }
    Some(node)
}

/// Visits every node with its path (depth first, creation order).
pub fn walk<'a>(node: &'a Node, path: &mut Vec<u16>, visit: &mut dyn FnMut(&[u16], &'a Node)) {
    visit(path, node);
    for child in node.children() {
        path.push(child.fid);
        walk(child, path, visit);
        path.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        let mut mf = Node::df(MF_FID, 0, [0; 15]);
        mf.children_mut()
            .unwrap()
            .push(Node::df(0x1000, 0, [0; 15]));
        node_at_mut(&mut mf, &[0x1000])
            .unwrap()
            .children_mut()
            .unwrap()
            .push(Node::ef(0x2F00, 4, [0; 15]));
        assert_eq!(node_at(&mf, &[0x1000, 0x2F00]).unwrap().footprint(), 4);
        assert!(node_at(&mf, &[0x2F00]).is_none());
        assert_eq!(mf.footprint(), 4);
    }
}
